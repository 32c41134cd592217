"""The README's commands, run as a reader would: its quick start against a real server and worker."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.worker import REPO, child_env, serving_web, wait_for

pytestmark = pytest.mark.integration

README = REPO / "README.md"


def _section(title: str) -> str:
    text = README.read_text()
    match = re.search(rf"(?ms)^## {re.escape(title)}\n(.*?)(?=^## )", text)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"(?ms)^```sh\n(.*?)^```", text)


def _commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and `# →` answers dropped."""
    commands, current = [], ""
    for line in block.splitlines():
        stripped = line.split("  #", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if not stripped and not current:
            continue
        current += stripped + "\n"
        if not stripped.endswith("\\") and current.count("'") % 2 == 0:
            commands.append(current.strip())
            current = ""
    return commands


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

    commands = _commands(_shell_blocks(_section("Quick start with curl"))[0])
    assert commands[0].startswith("TOKEN=") and len(commands) == 3, commands
    with serving_web(child_env(), tmp_path / "web.log") as base:
        port = base.rsplit(":", 1)[1]

        def run(command: str) -> Any:
            script = f"TOKEN={token}\n" + command.replace("localhost:8000", f"127.0.0.1:{port}").replace(
                "127.0.0.1:8000", f"127.0.0.1:{port}"
            )
            done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=True)
            return json.loads(done.stdout)

        started = run(commands[1])
        assert started["status"] == "queued" and started["runId"] == started["id"]
        finished = wait_for(
            lambda: (
                (doc := run(commands[2].replace("<id>", started["runId"])))["status"] in ("succeeded", "failed") and doc
            ),
            timeout=30,
            interval=0.2,
        )
    assert finished["status"] == "succeeded", finished
    assert [step["nodeId"] for step in finished["steps"]] == ["start", "get"]
