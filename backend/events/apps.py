"""App config for events."""

from __future__ import annotations

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "backend.events"
    label = "events"
