"""Token writes: create (the plaintext is returned once, never stored), authenticate, revoke."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import ApiToken
from backend.core.errors import ValidationFailed
from backend.core.limits import TOKEN_NAME_MAX, text_problem
from backend.core.prepared import prepared_cursor
from backend.core.rows import from_row
from backend.core.types import Owner
from backend.runs.store.queries import Statement, token_lookup

TOKEN_PREFIX = "aos_"  # noqa: S105 - a public prefix, not a secret
_LOOKUP_LEN = 12
_LOOKUP = re.compile(f"[0-9a-f]{{{_LOOKUP_LEN}}}")
# Touching last_used_at on every request would cost a write per API call; once a minute is plenty.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, user: Owner, name: str = "default") -> tuple[ApiToken, str]:
    """A new token for `user`: (the row, the plaintext to show once). 400 for a name it cannot store."""
    problem = text_problem(name, max_chars=TOKEN_NAME_MAX)
    if problem:
        raise ValidationFailed(f"`name` {problem}", details={"name": [problem]})
    lookup = secrets.token_hex(_LOOKUP_LEN // 2)
    raw = f"{TOKEN_PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, lookup=lookup, digest=_digest(raw))
    return token, raw


def token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token matching `raw`, or None. Constant-time comparison of the digest."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    lookup = raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + _LOOKUP_LEN]
    if not _LOOKUP.fullmatch(lookup):
        return None  # never hex: not ours, and a NUL in it would be a database error, not a 401
    token = _live_token(lookup)
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)) or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def _live_token(lookup: str) -> ApiToken | None:
    """The unrevoked token with this lookup and its user, through the store's named statement: it
    runs on every API request, and building and compiling the equivalent queryset costs several times
    the query itself."""
    statement = _token_statement()
    with prepared_cursor() as cursor:
        cursor.execute(statement.sql, {"lookup": lookup})
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(ApiToken._meta.concrete_fields)
    token = from_row(ApiToken, row[:width])
    token.user = from_row(get_user_model(), row[width:])
    return token


@functools.cache
def _token_statement() -> Statement:
    return token_lookup()


def token_revoke(*, token: ApiToken) -> None:
    tokens_revoke(tokens=ApiToken.objects.filter(pk=token.pk))


def tokens_revoke(*, tokens: QuerySet[ApiToken]) -> int:
    """Revoke every live token of `tokens`; returns how many were live. Each request looks its token up
    in the database (no cache anywhere), so the next request with one of them is a 401 in every process."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_get_or_create(*, username: str) -> tuple[Any, bool]:
    max_chars = get_user_model()._meta.get_field("username").max_length or 150
    problem = text_problem(username, max_chars=max_chars)
    if problem:
        raise ValidationFailed(f"`username` {problem}", details={"username": [problem]})
    user, created = get_user_model().objects.get_or_create(username=username)
    return user, created


def dev_origin_user(*, username: str) -> Any:
    """The local user the development origin mode serves; created with no usable password."""
    user, created = user_get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
