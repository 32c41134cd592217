"""App config for the shared core."""

from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "backend.core"
    label = "core"

    def ready(self) -> None:
        from backend.core.lookups import register

        register()
