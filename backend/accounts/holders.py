"""Who a request speaks for: its signed-in owner, and (for a vault unlock) its API token or session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from rest_framework.exceptions import NotAuthenticated

from backend.accounts.models import ApiToken


def request_owner(request: Any) -> User:
    """The signed-in user of a view that requires one (DRF's permission or `login_required` ran first)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated("sign in or send a bearer token")
    return user


def vault_holder(request: Any) -> str | None:
    """`token:<id>` or `session:<key>`; None for a request with neither (no unlock can be held)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return f"token:{auth.pk}"
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    return f"session:{key}" if key else None
