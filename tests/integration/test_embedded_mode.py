"""Smoke tests of the embedded default: SQLite, the serverless broker and the in-memory channel layer,
uvicorn + a real worker in another process (so the websocket can only follow the run by its timer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.graphs import chain, edge, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import REPO, serving_web, stop_process, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh data dir with no DATABASE_URL/REDIS_URL: exactly what `make run` gets by default.
    Shared by this module's tests: starting the web server and a worker is most of their cost."""
    tmp_path = tmp_path_factory.mktemp("embedded")
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
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend.config.celery", "worker", "--pool=threads",
         "--concurrency=4", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        with serving_web(env, tmp_path / "web.log") as base:
            yield {"base": base, "token": token, "db": tmp_path / "db.sqlite3"}
    finally:
        stop_process(worker)
        log.close()


def test_embedded_mode_runs_a_workflow_with_a_real_worker(embedded: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {embedded['token']}"}
    health = wait_for(lambda: (h := httpx.get(f"{embedded['base']}/healthz").json())["ok"] and h, timeout=20)
    assert health == {"ok": True, "database": "ok", "broker": "ok", "worker": "ok"}
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


def test_embedded_mode_streams_a_run_over_the_websocket(embedded: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {embedded['token']}"}
    with serving_target() as target:
        slow = "delay=0.5"  # the run outlasts the handshake, so later events must arrive live
        graph = {
            "nodes": [start_node(), http_node("a", f"{target.url}/a?{slow}"), http_node("b", f"{target.url}/b?{slow}"),
                      http_node("join", f"{target.url}/join?{slow}")],
            "edges": [edge("start", "a"), edge("start", "b"), edge("a", "join"), edge("b", "join")],
        }  # fmt: skip
        created = httpx.post(f"{embedded['base']}/v1/runs", json={"graph": graph}, headers=headers)
        assert created.status_code == 201, created.text
        run_id = created.json()["id"]
        url = embedded["base"].replace("http://", "ws://", 1) + f"/ws/runs/{run_id}/"
        events: list[dict[str, Any]] = []
        # No Origin: a Bearer client, as in the README's watch_run.py.
        with connect(url, additional_headers=headers, proxy=None, open_timeout=10) as ws:
            connected_at = time.time()
            while True:
                try:
                    events.append(json.loads(ws.recv(timeout=30)))
                except ConnectionClosed:
                    break
            close_code = ws.close_code
    assert close_code == 1000
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # from the first event, no gap, no duplicate
    assert events[-1]["type"] == "run_succeeded"
    assert datetime.fromisoformat(events[-1]["ts"]).timestamp() > connected_at  # streamed live, not backlog
    doc = httpx.get(f"{embedded['base']}/v1/runs/{run_id}", headers=headers).json()
    assert doc["status"] == "succeeded" and doc["lastSeq"] == seqs[-1]
    assert {e["nodeId"] for e in events if e["type"] == "step_succeeded"} == {"start", "a", "b", "join"}
