"""The process keyring, read from AUTOMATEOS_ENCRYPTION_KEYS, and the startup check that demands it."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import checks

from backend.credentials.vault import Keyring, KeyringError, generate_key_spec, parse_keyring

ENV_VAR = "AUTOMATEOS_ENCRYPTION_KEYS"


class VaultNotConfiguredError(KeyringError):
    """No key is set: credentials can be neither stored nor read."""


def _hint() -> str:
    return (
        f"set {ENV_VAR} to a comma-separated list of '<id>:<base64 of 32 random bytes>' "
        f"(the first encrypts, all decrypt), e.g. {ENV_VAR}={generate_key_spec()} ; "
        "keep it safe: losing it makes every stored credential unreadable"
    )


def keyring_spec() -> str:
    # A settings attribute wins so tests can use override_settings; the environment is the normal path
    # (settings.py has already loaded `.env` into os.environ).
    return str(getattr(settings, ENV_VAR, None) or os.environ.get(ENV_VAR, "")).strip()


@lru_cache(maxsize=4)
def _parse_cached(spec: str) -> Keyring:
    return parse_keyring(spec)


def get_keyring() -> Keyring:
    """The configured keyring; raises VaultNotConfiguredError / KeyringError with what to set."""
    spec = keyring_spec()
    if not spec:
        raise VaultNotConfiguredError(f"no credential encryption key: {_hint()}")
    return _parse_cached(spec)


def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production (DEBUG off) refuses to start without a key; a malformed key list is always an error."""
    spec = keyring_spec()
    if not spec:
        if settings.DEBUG:
            return [
                checks.Warning(
                    f"{ENV_VAR} is not set; credentials cannot be stored", hint=_hint(), id="credentials.W001"
                )
            ]
        return [checks.Error(f"{ENV_VAR} is not set", hint=_hint(), id="credentials.E001")]
    try:
        _parse_cached(spec)
    except KeyringError as exc:
        return [checks.Error(str(exc), hint=_hint(), id="credentials.E002")]
    return []
