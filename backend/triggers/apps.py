"""App config for triggers."""

from __future__ import annotations

from django.apps import AppConfig


class TriggersConfig(AppConfig):
    name = "backend.triggers"
    label = "triggers"
