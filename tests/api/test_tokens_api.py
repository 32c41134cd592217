"""Tokens API: list (no secrets), revoke (refused from the very next request), another user's token is 404;
the admin's "Revoke selected tokens" action for staff, with no digest on any admin page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import ApiToken
from backend.accounts.services import token_create
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_tokens_list_shows_name_prefix_dates_and_revoked_only(api: APIClient, user: Any) -> None:
    token, raw = token_create(user=user, name="ci")
    listed = api.get("/v1/tokens?ordering=name").json()
    assert set(listed) == {"count", "next", "previous", "results"}
    entry = next(t for t in listed["results"] if t["id"] == token.pk)
    assert entry == {
        "id": token.pk,
        "name": "ci",
        "prefix": f"aos_{token.lookup}",
        "createdAt": entry["createdAt"],
        "lastUsedAt": None,
        "revoked": False,
    }
    assert entry["createdAt"].endswith("Z")
    assert raw not in str(listed) and token.digest not in str(listed)


def test_tokens_revoke_refuses_the_token_on_the_next_request(api: APIClient, user: Any) -> None:
    token, raw = token_create(user=user, name="ci")
    ci = _bearer(raw)
    assert ci.get("/v1/workflows").status_code == 200
    assert api.delete(f"/v1/tokens/{token.pk}").status_code == 204
    refused = ci.get("/v1/workflows")
    assert refused.status_code == 401 and refused.json()["error"]["message"] == "invalid or revoked token"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    listed = {t["id"]: t for t in api.get("/v1/tokens").json()["results"]}
    assert listed[token.pk]["revoked"] is True
    # Revoking again changes nothing and still answers 204.
    revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    assert api.delete(f"/v1/tokens/{token.pk}").status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at


def test_tokens_revoke_own_token_ends_its_own_access(user: Any) -> None:
    token, raw = token_create(user=user, name="self")
    client = _bearer(raw)
    assert client.delete(f"/v1/tokens/{token.pk}").status_code == 204
    assert client.get("/v1/tokens").status_code == 401


def test_tokens_another_users_token_is_404_and_stays_live(api: APIClient, other_user: Any) -> None:
    token, raw = token_create(user=other_user, name="theirs")
    response = api.delete(f"/v1/tokens/{token.pk}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert _bearer(raw).get("/v1/workflows").status_code == 200


def test_tokens_revoke_unknown_or_huge_id_is_404(api: APIClient) -> None:
    assert api.delete("/v1/tokens/999999999").status_code == 404
    assert api.delete(f"/v1/tokens/{2**70}").status_code == 404  # past bigint: a 404, not a database error
    assert api.delete("/v1/tokens/abc").status_code == 404


def test_tokens_admin_revoke_selected_action_revokes_any_users_tokens(user: Any, other_user: Any) -> None:
    mine, mine_raw = token_create(user=user, name="a")
    theirs, theirs_raw = token_create(user=other_user, name="b")
    staff = Client()
    staff.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = staff.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_selected", "_selected_action": [mine.pk, theirs.pk]},
        follow=True,
    )
    assert page.status_code == 200 and b"Revoked 2 token(s)" in page.content
    assert not ApiToken.objects.filter(pk__in=[mine.pk, theirs.pk], revoked_at__isnull=True).exists()
    assert _bearer(mine_raw).get("/v1/workflows").status_code == 401
    assert _bearer(theirs_raw).get("/v1/workflows").status_code == 401


def test_tokens_admin_pages_never_show_the_digest(user: Any) -> None:
    token, raw = token_create(user=user, name="ci")
    staff = Client()
    staff.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for url in ("/admin/accounts/apitoken/", f"/admin/accounts/apitoken/{token.pk}/change/"):
        page = staff.get(url).content.decode()
        assert token.digest not in page and raw not in page and token.lookup in page
