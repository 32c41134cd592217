"""Run, Step (one per node) and RunEvent (the run's ordered log): the source of truth of a run."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from backend.core.limits import IDEMPOTENCY_KEY_MAX, NODE_ID_MAX, NODE_LABEL_MAX, TRIGGER_MAX
from backend.runs.states import RunStatus, RunTrigger, StepStatus


class Run(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: run_owner_created leads with owner_id, and every write maintains each index.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs", db_index=False)
    workflow = models.ForeignKey(
        "workflows.Workflow", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField(max_length=TRIGGER_MAX, choices=RunTrigger.choices, default=RunTrigger.API)
    # What the trigger knew (a webhook's headers and query, a tick's time, the failed run): templates
    # read it as {{trigger.x}}.
    trigger_data = models.JSONField(default=dict, blank=True)
    # The workflow's version number the run was started from; null for a graph posted directly.
    workflow_version = models.PositiveIntegerField(null=True, blank=True)
    # What the run was started with, frozen: later edits of the workflow never change a run.
    graph = models.JSONField(default=dict)
    plan = models.JSONField(default=dict)
    variables = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True, default="")
    request_id = models.CharField(max_length=128, blank=True, default="")
    error = models.TextField(blank=True, default="")
    # The vault unlock this run's protected credentials are read with (a VaultGrant id, no foreign
    # key: revoking a grant deletes its row and must not touch the runs that carried it).
    vault_grant = models.UUIDField(null=True, blank=True, editable=False)
    # Counters moved only by the run store (backend/runs/store/), each under the run's row lock.
    event_seq = models.PositiveIntegerField(default=0)
    steps_remaining = models.IntegerField(default=0)
    # Failed steps so far, moved under the run's row lock with steps_remaining: the statement that
    # finishes the last step reads it from the row it locked, so a failure committed while it
    # waited for that lock is never missed.
    steps_failed = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="run_owner_created"),
            models.Index(fields=["owner", "status", "-created_at"], name="run_owner_status_created"),
            # The reaper's deadline and close checks read active runs only: a small partial index
            # instead of a scan of every run ever made.
            models.Index(
                fields=["created_at"], condition=models.Q(status__in=["queued", "running"]), name="run_active_created"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="run_unique_idempotency_key_per_owner",
            )
        ]

    def __str__(self) -> str:
        return f"run {self.id} ({self.status})"


class Step(models.Model):
    # step_unique_node_per_run (run_id, node_id) serves lookups by run: no second index to maintain.
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps", db_index=False)
    node_id = models.CharField(max_length=NODE_ID_MAX)
    kind = models.CharField(max_length=64)
    label = models.CharField(max_length=NODE_LABEL_MAX, blank=True, default="")
    position = models.PositiveIntegerField(default=0)  # index in the plan's topological order
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.QUEUED)
    attempt = models.PositiveIntegerField(default=0)
    # The compiled node, copied from the plan so the hot path never loads the whole plan.
    config = models.JSONField(default=dict, blank=True)
    dependencies = models.JSONField(default=list, blank=True)
    successors = models.JSONField(default=list, blank=True)
    pending_deps = models.IntegerField(default=0)
    # Inputs that delivered (a parent succeeded on an output leading here). A step whose inputs are
    # all in and none delivered (every parent skipped, or took another output) is skipped too.
    live_inputs = models.IntegerField(default=0)
    # Ready on its first delivered input rather than once every input is in (a merge's "first" mode).
    first_input = models.BooleanField(default=False)
    # For a node with named outputs: {output name: [successor node ids]} (copied from the plan).
    ports = models.JSONField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When a waiting step (a delay) is due to run again.
    resume_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["run", "node_id"], name="step_unique_node_per_run")]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="step_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.node_id} ({self.status})"


class RunEvent(models.Model):
    class Level(models.TextChoices):
        INFO = "info"
        WARN = "warn"
        ERROR = "error"

    # runevent_unique_seq (run_id, seq) serves lookups by run: no second index to maintain.
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    ts = models.DateTimeField()
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.INFO)
    node_id = models.CharField(max_length=NODE_ID_MAX, blank=True, default="")
    type = models.CharField(max_length=32)
    message = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="runevent_unique_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type} {self.message[:40]}"
