"""Vault API: set, unlock, lock, change, remove, reset; runs refused with 423 while locked; errors in shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from backend.credentials.models import Credential
from backend.runs.models import Run
from tests.support.graphs import chain, http_node, start_node

pytestmark = pytest.mark.django_db

PASS = "correct horse battery"
URL = "http://127.0.0.1:9/never-called"


@pytest.fixture(autouse=True)
def no_dispatch(discard_dispatch: None) -> None:
    """Started runs are stored, never sent."""


@pytest.fixture(autouse=True)
def fresh_attempt_counts(settings: Any) -> None:
    """User ids come back in a new test database: an earlier session's counts must not apply."""
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter("throttle:vault:*"):
            client.delete(key)
    cache.clear()


def _send(api: APIClient, method: str, path: str, body: Any = None) -> Any:
    return getattr(api, method)(path, data=json.dumps(body or {}), content_type="application/json")


def _session(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _with_credential(api: APIClient) -> None:
    made = _send(api, "post", "/v1/credentials", {"name": "notion", "kind": "bearer_token", "value": "sk_" + "x" * 20})
    assert made.status_code == 201, made.content


def _run(api: APIClient) -> Any:
    graph = {
        "nodes": [start_node(), http_node("call", URL, auth={"credentialName": "notion"})],
        "edges": chain("start", "call"),
    }
    return _send(api, "post", "/v1/runs", {"graph": graph})


def test_vault_api_set_marks_credentials_protected(api: APIClient) -> None:
    _with_credential(api)
    assert api.get("/v1/vault").json() == {
        "passphraseSet": False, "unlocked": False, "unlockedUntil": None, "protectedCredentials": 0,
    }  # fmt: skip
    state = _send(api, "put", "/v1/vault/passphrase", {"passphrase": PASS})
    assert state.status_code == 200
    assert state.json()["passphraseSet"] is True and state.json()["protectedCredentials"] == 1
    listed = api.get("/v1/credentials").json()["results"][0]
    assert listed["protected"] is True and listed["maskedValue"] == "••••••••"
    assert state["Cache-Control"].startswith("max-age=0") or "no-store" in state["Cache-Control"]


def test_vault_api_run_is_refused_while_locked_and_carries_the_unlock(user: Any) -> None:
    client = _session(user)
    _with_credential(client)
    _send(client, "put", "/v1/vault/passphrase", {"passphrase": PASS})
    refused = _run(client)
    assert refused.status_code == 423
    error = refused.json()["error"]
    error.pop("requestId")
    assert error == {
        "code": "vault_locked",
        "message": 'vault locked: credential "notion" needs its owner\'s passphrase',
        "details": {"credentials": ["notion"]},
    }
    assert not Run.objects.exists()
    unlocked = _send(client, "post", "/v1/vault/unlock", {"passphrase": PASS})
    assert unlocked.json()["unlocked"] is True and unlocked.json()["unlockedUntil"]
    started = _run(client)
    assert started.status_code == 201
    run = Run.objects.get(pk=started.json()["runId"])
    assert run.vault_grant is not None
    # Another login session of the same user holds no unlock of its own.
    assert _run(_session(user)).status_code == 423
    assert _send(client, "post", "/v1/vault/lock").json()["unlocked"] is False
    assert _run(client).status_code == 423


def test_vault_api_token_unlock_is_the_tokens_own(api: APIClient, user: Any) -> None:
    _with_credential(api)
    _send(api, "put", "/v1/vault/passphrase", {"passphrase": PASS})
    assert _send(api, "post", "/v1/vault/unlock", {"passphrase": PASS}).status_code == 200
    assert _run(api).status_code == 201
    assert _run(_session(user)).status_code == 423


def test_vault_api_logout_locks_the_session(user: Any) -> None:
    client = _session(user)
    _with_credential(client)
    _send(client, "put", "/v1/vault/passphrase", {"passphrase": PASS})
    _send(client, "post", "/v1/vault/unlock", {"passphrase": PASS})
    client.post("/logout/")
    client.force_login(user)
    assert client.get("/v1/vault").json()["unlocked"] is False


def test_vault_api_errors_have_the_error_shape(api: APIClient) -> None:
    cases = [
        ("post", "/v1/vault/unlock", {"passphrase": PASS}, 409, "no_passphrase"),
        ("put", "/v1/vault/passphrase", {"passphrase": "short"}, 400, "validation_error"),
        ("put", "/v1/vault/passphrase", ["not", "an", "object"], 400, "validation_error"),
        ("put", "/v1/vault/passphrase", {"passphrase": PASS, "extra": 1}, 400, "validation_error"),
        ("delete", "/v1/vault/passphrase", {"currentPassphrase": PASS}, 409, "no_passphrase"),
        ("post", "/v1/vault/reset", {"confirm": "yes"}, 400, "validation_error"),
    ]
    for method, path, body, status, code in cases:
        answer = _send(api, method, path, body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), (path, body)
        assert PASS not in answer.content.decode()
    _send(api, "put", "/v1/vault/passphrase", {"passphrase": PASS})
    wrong = _send(api, "post", "/v1/vault/unlock", {"passphrase": "guessed wrong"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_passphrase"
    change = _send(api, "put", "/v1/vault/passphrase", {"passphrase": "a new passphrase"})
    assert change.json()["error"]["details"] == {"currentPassphrase": ["this field is required"]}


def test_vault_api_change_remove_and_reset(api: APIClient) -> None:
    _with_credential(api)
    _send(api, "put", "/v1/vault/passphrase", {"passphrase": PASS})
    changed = _send(api, "put", "/v1/vault/passphrase", {"passphrase": "a new passphrase", "currentPassphrase": PASS})
    assert changed.status_code == 200
    removed = _send(api, "delete", "/v1/vault/passphrase", {"currentPassphrase": "a new passphrase"})
    assert removed.json()["passphraseSet"] is False
    assert api.get("/v1/credentials").json()["results"][0]["protected"] is False
    _send(api, "put", "/v1/vault/passphrase", {"passphrase": PASS})
    reset = _send(api, "post", "/v1/vault/reset", {"confirm": "delete my protected credentials"})
    assert reset.json() == {"deletedCredentials": ["notion"]}
    assert not Credential.objects.exists()
    assert api.get("/v1/vault").json()["passphraseSet"] is False


def test_vault_api_passphrase_attempts_are_throttled_per_user(
    api: APIClient, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "vault", "3/min")
    _send(api, "put", "/v1/vault/passphrase", {"passphrase": PASS})
    session = _session(user)
    statuses = [_send(session, "post", "/v1/vault/unlock", {"passphrase": "guess " * 2}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]  # the set above was the first attempt of the window
    assert _send(session, "post", "/v1/vault/unlock", {"passphrase": PASS}).json()["error"]["code"] == "throttled"
    assert session.get("/v1/vault").status_code == 200  # reading the state is not an attempt
