"""Run and step statuses and the transitions the engine may make between them."""

from __future__ import annotations

from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class StepStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


RUN_ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
RUN_TERMINAL = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)
STEP_TERMINAL = (StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED)

# Every legal move; services only write a status through a guarded UPDATE from one of the sources.
RUN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RunStatus.QUEUED: (RunStatus.RUNNING, RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED),
    RunStatus.RUNNING: (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED),
}
STEP_TRANSITIONS: dict[str, tuple[str, ...]] = {
    StepStatus.QUEUED: (StepStatus.RUNNING, StepStatus.SKIPPED, StepStatus.CANCELLED, StepStatus.SUCCEEDED),
    StepStatus.RUNNING: (StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.CANCELLED, StepStatus.QUEUED),
}


def can_move(transitions: dict[str, tuple[str, ...]], source: str, target: str) -> bool:
    return target in transitions.get(source, ())
