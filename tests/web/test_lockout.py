"""Login lockout (django-axes with backend/web/lockout.py): per user name, per address, the page, recovery."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from rest_framework.test import APIClient

from backend.web.lockout import client_ip

PASSWORD = "right-pass-123"
LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def alice(user: Any) -> Any:
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(username: str, password: str, ip: str, path: str = "/login/") -> Any:
    return Client(REMOTE_ADDR=ip).post(path, {"username": username, "password": password})


def _fail(times: int, *, username: str | None = None, ip: str | None = None) -> None:
    codes = [_login(username or f"guess{i}", "wrong", ip or f"10.0.0.{i + 1}").status_code for i in range(times)]
    # failures under the limit show the plain error; the one that reaches it already gets the lockout page
    assert codes == [200] * (LIMIT - 1) + [429]


def test_lockout_by_username_from_different_addresses(alice: Any) -> None:
    _fail(LIMIT, username="alice")
    response = _login("alice", PASSWORD, "10.9.9.9")
    assert response.status_code == 429
    assert b"Sign-in is locked for now" in response.content
    assert b"Try again in 15 minutes" in response.content
    assert response.templates[0].name == "registration/login.html"
    assert "_auth_user_id" not in response.client.session
    # another user from a fresh address is not affected
    assert _login("bob", "wrong", "10.8.8.8").status_code == 200


def test_lockout_by_address_for_different_usernames(alice: Any) -> None:
    _fail(LIMIT, ip="192.0.2.7")
    response = _login("alice", PASSWORD, "192.0.2.7")
    assert response.status_code == 429
    assert b'data-testid="login-locked"' in response.content
    # the right password from elsewhere still signs alice in
    ok = _login("alice", PASSWORD, "192.0.2.8")
    assert ok.status_code == 302 and ok["Location"] == "/"


def test_lockout_applies_to_the_admin_login(alice: Any) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    codes = [_login("alice", "wrong", "198.51.100.1", "/admin/login/").status_code for _ in range(LIMIT)]
    assert codes == [200] * (LIMIT - 1) + [429]
    response = _login("alice", PASSWORD, "198.51.100.2", "/admin/login/")
    assert response.status_code == 429
    assert b"Sign-in is locked for now" in response.content


def test_lockout_ends_after_the_cool_off(alice: Any, settings: Any) -> None:
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    _fail(LIMIT, username="alice")
    assert _login("alice", PASSWORD, "10.1.1.1").status_code == 429
    time.sleep(1.2)
    assert _login("alice", PASSWORD, "10.1.1.1").status_code == 302


def test_lockout_lifted_by_axes_reset(alice: Any) -> None:
    _fail(LIMIT, username="alice")
    assert _login("alice", PASSWORD, "10.1.1.1").status_code == 429
    call_command("axes_reset")
    assert _login("alice", PASSWORD, "10.1.1.1").status_code == 302


def test_lockout_leaves_api_token_and_session_auth_alone(alice: Any, api: APIClient) -> None:
    _fail(LIMIT, username="alice", ip="127.0.0.1")
    assert api.get("/v1/credentials").status_code == 200
    session = Client()
    session.force_login(alice)
    assert session.get("/v1/credentials").status_code == 200


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": ["backend.api.authentication.BearerTokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "EXCEPTION_HANDLER": "backend.api.exceptions.exception_handler",
        "DEFAULT_THROTTLE_CLASSES": ["backend.api.throttling.TokenRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"token": "2/min"},
        "UNAUTHENTICATED_USER": None,
    }
)
def test_lockout_api_token_throttle_still_its_own(alice: Any, api: APIClient) -> None:
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(*client.keys("throttle:*"), "-")
    codes = [api.get("/v1/credentials").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    # the API's throttle counts nothing against the login lockout
    assert _login("alice", PASSWORD, "127.0.0.1").status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1", "10.0.0.1"),
        (1, "6.6.6.6, 203.0.113.5", "10.0.0.1", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "10.0.0.1", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.1", "203.0.113.5"),
        (1, "", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(
    settings: Any, rf: Any, count: int, forwarded: str, remote: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == expected
