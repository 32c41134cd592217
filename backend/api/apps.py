"""App config for api."""

from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backend.api"
    label = "api"

    def ready(self) -> None:
        # Registers the OpenAPI security schemes of our authentication classes (drf-spectacular extensions).
        from backend.api import schema  # noqa: F401
