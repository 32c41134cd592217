"""Token writes: create (the plaintext is returned once, never stored), authenticate, revoke."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from backend.accounts.models import ApiToken

TOKEN_PREFIX = "aos_"  # noqa: S105 - a public prefix, not a secret
_LOOKUP_LEN = 12
# Touching last_used_at on every request would cost a write per API call; once a minute is plenty.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, user: Any, name: str = "default") -> tuple[ApiToken, str]:
    lookup = secrets.token_hex(_LOOKUP_LEN // 2)
    raw = f"{TOKEN_PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, lookup=lookup, digest=_digest(raw))
    return token, raw


def token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token matching `raw`, or None. Constant-time comparison of the digest."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    lookup = raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + _LOOKUP_LEN]
    token = ApiToken.objects.select_related("user").filter(lookup=lookup, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)) or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_get_or_create(*, username: str) -> tuple[Any, bool]:
    user, created = get_user_model().objects.get_or_create(username=username)
    return user, created
