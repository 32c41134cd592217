"""The README's commands, run as a reader would: its quick start against a real server and worker."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.readme import README, quick_start
from tests.support.worker import REPO, child_env, serving_web, wait_for

pytestmark = pytest.mark.integration


def test_readme_make_targets_exist() -> None:
    targets = set(re.findall(r"(?m)^([a-z][a-zA-Z_-]*):", (REPO / "Makefile").read_text()))
    named = set(re.findall(r"(?m)(?:^|`)make ([a-z][a-z-]*)", README.read_text()))
    assert named, "the README names no make target"
    assert named <= targets, f"README names make targets the Makefile lacks: {sorted(named - targets)}"


def test_readme_quick_start_runs_as_written(worker: Any, tmp_path: Path) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser(username="admin", email="", password="not-used-here-0")
    made = subprocess.run(
        [sys.executable, "manage.py", "create_api_token", "admin"],
        cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    token = made.stdout.strip().splitlines()[-1].strip()
    assert token.startswith("aos_"), made.stdout

    with serving_web(child_env(), tmp_path / "web.log") as base:
        start_cmd, read_cmd = quick_start(int(base.rsplit(":", 1)[1]))

        def run(command: str) -> Any:
            done = subprocess.run(
                ["bash", "-c", f"TOKEN={token}\n{command}"], capture_output=True, text=True, timeout=30, check=True
            )
            return json.loads(done.stdout)

        started = run(start_cmd)
        assert started["status"] == "queued" and started["runId"] == started["id"]
        finished = wait_for(
            lambda: (
                (doc := run(read_cmd.replace("<id>", started["runId"])))["status"] in ("succeeded", "failed") and doc
            ),
            timeout=30,
            interval=0.2,
        )
    assert finished["status"] == "succeeded", finished
    assert [step["nodeId"] for step in finished["steps"]] == ["start", "get"]
