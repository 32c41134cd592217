"""Workflow: a named graph (builder file form) owned by one user; WorkflowVersion: each saved state of it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from backend.core.limits import WORKFLOW_NAME_MAX
from backend.core.models import TimeStampedModel

VERSION_SUMMARY_MAX = 500  # a diff's description is shortened to fit


class Workflow(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workflows")
    name = models.CharField(max_length=WORKFLOW_NAME_MAX)
    description = models.TextField(blank=True, default="")
    # The builder file form: {"nodes": [...], "edges": [...]}; node configs hold names, never secrets.
    graph = models.JSONField(default=dict)
    # Workflow variables used by templates as {{vars.x}} (the builder file's top-level `vars`).
    variables = models.JSONField(default=dict, blank=True)
    # The number of its newest WorkflowVersion (graph and vars as they are now); moved only by the
    # services, under this row's lock, so two saves never take the same number.
    version = models.PositiveIntegerField(default=0)
    # Started (trigger failure_hook) when a run of this workflow ends failed; the same owner's.
    failure_workflow = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="failure_hook_sources"
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="workflow_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name


class WorkflowVersion(models.Model):
    """A workflow's graph and vars as one save left them; number 1 is the workflow as created."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    graph = models.JSONField(default=dict)
    variables = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=VERSION_SUMMARY_MAX, blank=True, default="")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="workflowversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.workflow_id} v{self.number}"
