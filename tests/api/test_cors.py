"""CORS for browser clients on other origins: preflights without credentials, the allowed headers, X-Request-ID."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.support.graphs import chain, http_node, start_node
from tests.support.worker import REPO

pytestmark = pytest.mark.django_db

ORIGIN = "http://localhost:3000"
_GRAPH = {"nodes": [start_node(), http_node("ping", "http://127.0.0.1:9/x")], "edges": chain("start", "ping")}


@pytest.fixture(autouse=True)
def _allowed(discard_dispatch: None) -> Any:
    with override_settings(CORS_ALLOWED_ORIGINS=[ORIGIN]):
        yield


def _preflight(origin: str, path: str = "/v1/runs") -> Any:
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type,idempotency-key,x-request-id",
    )


def test_cors_preflight_from_an_allowed_origin_needs_no_credentials() -> None:
    response = _preflight(ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "x-request-id"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response


def test_cors_preflight_from_another_origin_gets_no_grant() -> None:
    response = _preflight("http://evil.test")
    assert "Access-Control-Allow-Origin" not in response


def test_cors_applies_to_the_api_only() -> None:
    assert "Access-Control-Allow-Origin" not in _preflight(ORIGIN, "/login/")


def test_cors_actual_request_with_a_token_exposes_the_request_id(api: APIClient) -> None:
    response = api.post(
        "/v1/runs", data=json.dumps({"graph": _GRAPH}), content_type="application/json", HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Access-Control-Expose-Headers"].lower() == "x-request-id"
    assert response["X-Request-ID"]


def test_cors_token_less_request_is_refused_without_the_development_setting() -> None:
    response = Client().post(
        "/v1/runs", data=json.dumps({"graph": _GRAPH}), content_type="application/json", HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def _settings_error(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AUTOMATEOS_")}
    done = subprocess.run(
        [sys.executable, "-c", "import backend.config.settings"],
        cwd=REPO, env={**clean, "AUTOMATEOS_SECRET_KEY": "k" * 40, "AUTOMATEOS_ENCRYPTION_KEYS": "k1:x", **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return done.stderr if done.returncode else ""


def test_cors_development_origin_user_is_refused_unless_debug_is_on() -> None:
    error = _settings_error(
        AUTOMATEOS_DEBUG="false", AUTOMATEOS_CORS_ALLOWED_ORIGINS=ORIGIN, AUTOMATEOS_DEV_ORIGIN_USER="prototype"
    )
    assert "AUTOMATEOS_DEV_ORIGIN_USER serves requests without a token" in error
    assert "needs AUTOMATEOS_DEBUG=true" in error
    assert (
        _settings_error(
            AUTOMATEOS_DEBUG="true", AUTOMATEOS_CORS_ALLOWED_ORIGINS=ORIGIN, AUTOMATEOS_DEV_ORIGIN_USER="prototype"
        )
        == ""
    )


def test_cors_origin_with_a_path_is_refused_at_start_up() -> None:
    error = _settings_error(AUTOMATEOS_CORS_ALLOWED_ORIGINS="localhost:3000/app")
    assert "'localhost:3000/app' is not an origin" in error
