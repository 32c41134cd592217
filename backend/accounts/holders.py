"""Who a request speaks for when it unlocks a vault: its API token, else its login session."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import ApiToken


def vault_holder(request: Any) -> str | None:
    """`token:<id>` or `session:<key>`; None for a request with neither (no unlock can be held)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return f"token:{auth.pk}"
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    return f"session:{key}" if key else None
