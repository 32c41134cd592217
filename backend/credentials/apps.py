"""App config for credentials: registers the encryption-key startup check."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class CredentialsConfig(AppConfig):
    name = "backend.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from backend.credentials.keys import check_encryption_keys

        checks.register(check_encryption_keys, checks.Tags.security)
