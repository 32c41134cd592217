"""App config for workflows."""

from __future__ import annotations

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "backend.workflows"
    label = "workflows"
