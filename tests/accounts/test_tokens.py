"""API tokens: hashed at rest, shown once, prefixed, revocable; the CLI prints the token last."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from backend.accounts.models import ApiToken
from backend.accounts.services import token_authenticate, token_create, token_revoke

pytestmark = pytest.mark.django_db


def test_token_create_stores_only_a_digest(user: Any) -> None:
    token, raw = token_create(user=user)
    assert raw.startswith("aos_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {stored.digest, stored.lookup} and len(stored.digest) == 64
    assert token_authenticate(raw=raw).user == user


def test_token_revoked_or_altered_is_refused(user: Any) -> None:
    token, raw = token_create(user=user)
    assert token_authenticate(raw=raw[:-1] + ("x" if raw[-1] != "x" else "y")) is None
    token_revoke(token=token)
    assert token_authenticate(raw=raw) is None


def test_create_api_token_command_creates_user_and_prints_token_last() -> None:
    out = StringIO()
    call_command("create_api_token", "carol", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert token_authenticate(raw=last).user.username == "carol"


def test_tokens_api_lists_without_secrets_and_creates_once(api: APIClient) -> None:
    created = api.post("/v1/tokens", {"name": "ci"}, format="json")
    assert created.status_code == 201
    raw = created.json()["token"]
    listed = api.get("/v1/tokens").json()["results"]
    assert {t["name"] for t in listed} >= {"ci"}
    assert raw not in str(listed)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/v1/runs").status_code == 200


def test_token_authenticate_returns_the_full_token_and_user(user: Any) -> None:
    token, raw = token_create(user=user, name="ci")
    found = token_authenticate(raw=raw)
    assert found is not None and found.pk == token.pk
    assert (found.name, found.lookup, found.digest, found.user_id) == ("ci", token.lookup, token.digest, user.pk)
    assert found.user.pk == user.pk and found.user.username == user.username and found.user.is_authenticated
    assert found.created_at == ApiToken.objects.get(pk=token.pk).created_at  # converted like an ORM read
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None  # touched on first use


def test_token_of_an_inactive_user_is_refused(user: Any) -> None:
    _, raw = token_create(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert token_authenticate(raw=raw) is None


def test_token_with_an_unknown_lookup_is_refused(user: Any) -> None:
    _, raw = token_create(user=user)
    assert token_authenticate(raw="aos_" + "0" * 12 + raw[16:]) is None
    assert token_authenticate(raw="nope_" + raw) is None


@pytest.mark.parametrize("body", ["[]", "[1]", '"name"', "0", "1", "null", "true", '""'])
def test_tokens_api_refuses_a_body_that_is_not_an_object(api: APIClient, body: str) -> None:
    before = ApiToken.objects.count()
    response = api.generic("POST", "/v1/tokens", body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["details"] == {"body": ["must be an object"]}
    assert ApiToken.objects.count() == before


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        (["ci"], "must be a string"),
        (7, "must be a string"),
        (None, "must be a string"),
        ("", "must not be empty"),
        ("x" * 101, "at most 100 characters (got 101)"),
        ("ci\nbot", "line break"),
        ("ci\x1b[2J", "control character"),
    ],
)
def test_tokens_api_refuses_a_name_it_cannot_store(api: APIClient, name: Any, needle: str) -> None:
    before = ApiToken.objects.count()
    response = api.post("/v1/tokens", {"name": name}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["message"].startswith("`name` ") and needle in error["message"]
    assert needle in error["details"]["name"][0]
    assert ApiToken.objects.count() == before


def test_tokens_api_without_a_body_names_the_token_api(api: APIClient) -> None:
    response = api.post("/v1/tokens")
    assert response.status_code == 201
    assert response.json()["name"] == "api"
    assert api.post("/v1/tokens", {"name": "x" * 100}, format="json").status_code == 201


def test_create_api_token_command_refuses_a_name_it_cannot_store() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at most 100 characters"):
        call_command("create_api_token", "carol", "--name", "n" * 101, stdout=StringIO())
    with pytest.raises(CommandError, match="`username` must be at most 150 characters"):
        call_command("create_api_token", "u" * 151, stdout=StringIO())
    assert not get_user_model().objects.filter(username="carol").exists()  # no user without its token


@pytest.mark.parametrize("raw", ["aos_" + "\x00" * 12 + "_x", "aos_ABCDEF123456_x", "aos_zz"])
def test_token_authenticate_refuses_a_lookup_that_is_not_hex_without_a_query(user: Any, raw: str) -> None:
    token_create(user=user)
    assert token_authenticate(raw=raw) is None


def test_tokens_api_bearer_with_nul_is_a_401_not_a_500() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer aos_" + "\x00" * 12 + "_x")
    response = client.get("/v1/tokens")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("authentication_failed", "not_authenticated")
