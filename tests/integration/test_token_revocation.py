"""A revoked token is refused at once by every web process: two real servers, a token used on both,
revoked through one, refused by the other on its very next request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.accounts.services import token_create
from tests.support.worker import child_env, serving_web

pytestmark = pytest.mark.django_db(transaction=True)


def test_token_revocation_is_refused_by_every_web_process_at_once(user: Any, tmp_path: Path) -> None:
    token, raw = token_create(user=user, name="two-processes")
    _, admin_raw = token_create(user=user, name="admin")
    bearer = {"Authorization": f"Bearer {raw}"}
    with serving_web(child_env(), tmp_path / "a.log") as first, serving_web(child_env(), tmp_path / "b.log") as second:
        for base in (first, second):
            assert httpx.get(f"{base}/v1/workflows", headers=bearer).status_code == 200  # warm in both
        # The served (ASGI) app answers the public schema and Swagger UI too.
        assert httpx.get(f"{first}/v1/schema/?format=json").json()["openapi"].startswith("3.")
        assert httpx.get(f"{first}/v1/docs/").status_code == 200
        revoked = httpx.delete(f"{first}/v1/tokens/{token.pk}", headers={"Authorization": f"Bearer {admin_raw}"})
        assert revoked.status_code == 204
        for base in (second, first):
            refused = httpx.get(f"{base}/v1/workflows", headers=bearer)
            assert refused.status_code == 401, base
            assert refused.json()["error"]["message"] == "invalid or revoked token"
