"""App config for credentials: the encryption-key startup check; logging out locks the session's vault."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.core import checks


class CredentialsConfig(AppConfig):
    name = "backend.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from backend.credentials.keys import check_encryption_keys

        checks.register(check_encryption_keys, checks.Tags.security)
        user_logged_out.connect(_lock_on_logout, dispatch_uid="credentials.lock_on_logout")


def _lock_on_logout(sender: Any, request: Any = None, **kwargs: Any) -> None:
    from backend.accounts.holders import vault_holder
    from backend.credentials.passphrase_services import vault_lock_holder

    holder = vault_holder(request) if request is not None else None
    if holder:
        vault_lock_holder(holder=holder)
