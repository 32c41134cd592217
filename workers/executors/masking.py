"""Masking of secret values for logs and previews (compat.md §4); pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Header names whose values are always masked when a request is logged (compared lower case).
SENSITIVE_HEADERS: frozenset[str] = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "x-auth-token", "cookie"}
)

_SHORT = 6  # values this long or shorter reveal nothing at all


def mask_value(value: str) -> str:
    """`Bearer abc123` → `Bea***23`; a value of 6 characters or fewer becomes all `*`."""
    if len(value) <= _SHORT:
        return "*" * len(value)
    return f"{value[:3]}***{value[-2:]}"


def is_sensitive(name: str, extra: Iterable[str] = ()) -> bool:
    lowered = name.lower()
    return lowered in SENSITIVE_HEADERS or lowered in {e.lower() for e in extra}


def mask_headers(headers: Mapping[str, str], extra: Iterable[str] = ()) -> dict[str, str]:
    """A copy of `headers` with sensitive values masked; `extra` adds names (any case) to mask."""
    extra_lower = {e.lower() for e in extra}
    return {
        name: mask_value(value) if name.lower() in SENSITIVE_HEADERS or name.lower() in extra_lower else value
        for name, value in headers.items()
    }


def preview(value: str) -> str:
    """A credential preview for lists: `sk_live_abc123` → `sk_l…123`; short values fully masked.

    Values under 12 characters show nothing (not even their length), so the 7 characters shown are
    never most of the secret.
    """
    if len(value) < 12:
        return "*" * min(len(value), 8) if value else ""
    return f"{value[:4]}…{value[-3:]}"
