"""Masking of secret header values in request logs; pure, no I/O."""

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


def mask_headers(headers: Mapping[str, str], extra: Iterable[str] = ()) -> dict[str, str]:
    """A copy of `headers` with sensitive values masked; `extra` adds names (any case) to mask."""
    extra_lower = {e.lower() for e in extra}
    return {
        name: mask_value(value) if name.lower() in SENSITIVE_HEADERS or name.lower() in extra_lower else value
        for name, value in headers.items()
    }
