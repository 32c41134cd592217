"""The prototype's builder as it is: token-less requests from its origin, over a real socket, run to the end."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.stub_server import StubServer
from tests.support.worker import child_env, serving_web, wait_for

pytestmark = pytest.mark.integration

ORIGIN = "http://localhost:3000"


def test_prototype_builder_request_runs_as_the_development_user(worker: Any, tmp_path: Path) -> None:
    env = child_env(
        {
            "AUTOMATEOS_DEBUG": "true",
            "AUTOMATEOS_CORS_ALLOWED_ORIGINS": ORIGIN,
            "AUTOMATEOS_DEV_ORIGIN_USER": "prototype",
        }
    )
    with StubServer() as stub, serving_web(env, tmp_path / "web.log") as base:
        stub.route("POST", "/hook", body=b'{"ok": true}', headers={"Content-Type": "application/json"})
        # Exactly what the prototype's dev-web sends: the flattened graph, its idempotency key, no token.
        body = {
            "graph": {
                "nodes": [
                    {"id": "begin", "type": "start", "config": {}},
                    {"id": "ping", "type": "http", "config": {
                        "method": "POST", "url": f"{stub.url}/hook", "headers": {"Content-Type": "application/json"},
                        "body": '{"text": "deploy finished"}', "auth": {"credentialName": ""}}},
                ],
                "edges": [{"id": "e-begin-ping", "source": "begin", "target": "ping"}],
            }
        }  # fmt: skip
        headers = {"Origin": ORIGIN, "Idempotency-Key": f"ui_{int(time.time() * 1000)}_k3x9q"}
        preflight = httpx.options(
            f"{base}/v1/runs",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,idempotency-key",
            },
        )
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == ORIGIN
        created = httpx.post(f"{base}/v1/runs", json=body, headers=headers)
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "queued" and created.headers["access-control-allow-origin"] == ORIGIN
        run_url = f"{base}/v1/runs/{created.json()['runId']}"
        doc = wait_for(
            lambda: (
                (d := httpx.get(run_url, headers={"Origin": ORIGIN}).json())["status"] in ("succeeded", "failed") and d
            ),
            timeout=30,
        )
        assert doc["status"] == "succeeded", doc
        [seen] = stub.requests_to("/hook")
        assert seen.header("Authorization") is None and seen.json() == {"text": "deploy finished"}
        # Without the Origin it stays closed; from another origin too.
        assert httpx.get(run_url).status_code == 401
        assert httpx.get(run_url, headers={"Origin": "http://evil.test"}).status_code == 401
