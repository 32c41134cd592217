"""Run and step statuses; the moves between them are the run store's guarded statements (backend/runs/store/)."""

from __future__ import annotations

from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RunTrigger(models.TextChoices):
    """What started a run: a person in the builder, an API client, a webhook, a schedule tick, another
    run's failure, or a rerun of an earlier run."""

    MANUAL = "manual"
    API = "api"
    WEBHOOK = "webhook"
    SCHEDULE = "schedule"
    FAILURE_HOOK = "failure_hook"
    RERUN = "rerun"


# The triggers a client may name when it starts a run itself; the others are set by the server.
CLIENT_TRIGGERS = (RunTrigger.MANUAL, RunTrigger.API)


class StepStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    # A delay's step between its two attempts: no worker holds it; it is queued again at resume_at.
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


RUN_ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
RUN_TERMINAL = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)
STEP_TERMINAL = (StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED)
