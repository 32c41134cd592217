"""Smoke test of the embedded default: SQLite and the serverless broker, daphne + a real worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.graphs import chain, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import REPO, free_port, healthy, stop_process, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A fresh data dir with no DATABASE_URL/REDIS_URL: exactly what `make run` gets by default."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="backend.config.settings",
        AUTOMATEOS_DATA_DIR=str(tmp_path),
        AUTOMATEOS_ALLOW_PRIVATE_NETWORKS="true",
        AUTOMATEOS_DEBUG="true",
        PYTHONUNBUFFERED="1",
    )
    for folder in ("queue", "processed", "control"):
        (tmp_path / "broker" / folder).mkdir(parents=True)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    out = subprocess.run([*manage, "create_api_token", "smoke"], cwd=REPO, env=env, check=True, capture_output=True)
    token = out.stdout.decode().strip().splitlines()[-1]
    port = free_port()
    log = (tmp_path / "procs.log").open("wb")
    web = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "backend.config.asgi:application"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend.config.celery", "worker", "--pool=threads",
         "--concurrency=4", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(base), timeout=30)
        yield {"base": base, "token": token, "db": tmp_path / "db.sqlite3"}
    finally:
        stop_process(worker)
        stop_process(web)
        log.close()


def test_embedded_mode_runs_a_workflow_with_a_real_worker(embedded: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {embedded['token']}"}
    health = httpx.get(f"{embedded['base']}/healthz").json()
    assert health == {"ok": True, "database": "ok", "broker": "ok"}
    with serving_target() as target:
        graph = {
            "nodes": [start_node(), http_node("one", f"{target.url}/one"), http_node("two", f"{target.url}/two")],
            "edges": chain("start", "one", "two"),
        }
        created = httpx.post(f"{embedded['base']}/v1/runs", json={"graph": graph}, headers=headers)
        assert created.status_code == 201, created.text
        run_url = f"{embedded['base']}/v1/runs/{created.json()['id']}"

        def done() -> dict[str, Any] | None:
            doc = httpx.get(run_url, headers=headers).json()
            return doc if doc["status"] in ("succeeded", "failed") else None

        doc = wait_for(done, timeout=30)
    assert doc["status"] == "succeeded", json.dumps(doc, indent=1)
    assert [s["status"] for s in doc["steps"]] == ["succeeded"] * 3
    assert [s.path for s in target.seen] == ["/one", "/two"]
    assert embedded["db"].exists()
