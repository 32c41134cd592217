"""App config for credentials."""

from __future__ import annotations

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "backend.credentials"
    label = "credentials"
