"""Workflow: a named graph (builder file form) owned by one user."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from backend.core.limits import WORKFLOW_NAME_MAX
from backend.core.models import TimeStampedModel


class Workflow(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workflows")
    name = models.CharField(max_length=WORKFLOW_NAME_MAX)
    description = models.TextField(blank=True, default="")
    # The builder file form: {"nodes": [...], "edges": [...]}; node configs hold names, never secrets.
    graph = models.JSONField(default=dict)
    # Workflow variables used by templates as {{vars.x}} (the builder file's top-level `vars`).
    variables = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="workflow_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name
