"""The canary through real processes: no form of it in websocket frames, logs, the database dump or Redis."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from django.db import connection
from websockets.sync.client import connect

from backend.accounts.services import token_create
from backend.credentials.services import credential_create
from tests.support.canary import HARD_CANARY, canary_workflow, echo_forms, hidden_forms
from tests.support.factories import UserFactory
from tests.support.stub_server import Reply, SeenRequest, StubServer
from tests.support.worker import child_env, running_worker, serving_web

pytestmark = pytest.mark.integration


def _fail_echo(seen: SeenRequest) -> Reply:
    # An error page that repeats the token it was sent, long enough to be cut into an excerpt.
    token = (seen.header("authorization") or "").removeprefix("Bearer ")
    return Reply(status=500, body=f"{'x' * 180}Authorization: Bearer {token} {token.lower()} {token.upper()}")


def _redis_dump(url: str) -> str:
    client = redis.Redis.from_url(url)
    read = {
        "string": client.get,
        "list": lambda key: client.lrange(key, 0, -1),
        "zset": lambda key: client.zrange(key, 0, -1),
        "hash": client.hgetall,
        "set": client.smembers,
    }
    parts = [f"{key!r} {read.get(client.type(key).decode(), lambda _: b'')(key)!r}" for key in client.scan_iter()]
    return "\n".join(parts)


def _database_dump() -> str:
    name = connection.settings_dict["NAME"]
    done = subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only", name],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


def test_canary_leaves_no_form_in_frames_logs_database_or_redis(
    transactional_db: Any, clean_broker: None, tmp_path: Path
) -> None:
    user = UserFactory(username="canary-owner")
    _, token = token_create(user=user)
    credential_create(owner=user, name="canaryToken", kind="bearer_token", value=HARD_CANARY)
    credential_create(owner=user, name="canaryBasic", kind="basic_auth", value=f"user:{HARD_CANARY}")
    auth = {"Authorization": f"Bearer {token}"}
    web_log = tmp_path / "web.log"
    with StubServer() as stub, running_worker(concurrency=2) as worker, serving_web(child_env(), web_log) as base:
        stub.route("POST", "/echo", handler=echo_forms)
        stub.route("GET", "/fail", handler=_fail_echo)
        graph = canary_workflow(stub.url)
        graph["nodes"].append(
            {"id": "fail", "type": "http", "position": {"x": 400, "y": 0},
             "data": {"label": "Fail", "config": {"url": f"{stub.url}/fail", "retries": 0,
                                                   "auth": {"credentialName": "canaryToken"}}}}
        )  # fmt: skip
        graph["edges"].append({"id": "e2", "source": "echo", "target": "fail"})
        created = httpx.post(f"{base}/v1/runs", json={"graph": graph, "payload": {"title": "t"}}, headers=auth)
        assert created.status_code == 201, created.text
        run_id = created.json()["runId"]
        ws_url = base.replace("http://", "ws://") + f"/ws/runs/{run_id}/?after=0"
        with connect(ws_url, additional_headers=auth, proxy=None, open_timeout=10) as socket:
            frames = [str(frame) for frame in socket]  # the server closes after the terminal event
        document = httpx.get(f"{base}/v1/runs/{run_id}", headers=auth).text
        events = httpx.get(f"{base}/v1/runs/{run_id}/events", headers=auth).text
        # The canary really went out, in the header, the query and the body, and came back echoed.
        [seen] = stub.requests_to("/echo")
        assert seen.header("authorization") == f"Bearer {HARD_CANARY}" and seen.query["token"] == [HARD_CANARY]
        assert len(stub.requests_to("/fail")) == 1
    assert json.loads(frames[-1])["type"] == "run_failed"
    places = {
        "websocket frames": "\n".join(frames),
        "run document": document,
        "events": events,
        "worker log": Path(worker.log_path).read_text(errors="replace"),
        "web server log": web_log.read_text(errors="replace"),
        "database dump": _database_dump(),
        "redis": _redis_dump(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")),
    }
    leaks = [(where, form) for where, text in places.items() for form in hidden_forms(HARD_CANARY) if form in text]
    assert leaks == []
    assert "***" in document  # the echoed forms were there, masked
