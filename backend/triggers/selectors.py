"""Trigger reads: a workflow's hook and schedule (the owner's only), a webhook run's outcome."""

from __future__ import annotations

from typing import Any

from backend.core.errors import NotFound
from backend.core.types import Owner, Uuid
from backend.runs.models import Run, Step
from backend.runs.states import RUN_TERMINAL, RunStatus, StepStatus
from backend.triggers.models import Schedule, Webhook
from backend.workflows.models import Workflow
from backend.workflows.selectors import workflow_get


def owned_workflow(*, user: Owner, workflow_id: Uuid) -> Workflow:
    return workflow_get(user=user, workflow_id=workflow_id)


def webhook_get(*, workflow: Workflow) -> Webhook:
    hook = Webhook.objects.filter(workflow=workflow).select_related("workflow").first()
    if hook is None:
        raise NotFound("this workflow has no webhook", code="webhook_not_found")
    return hook


def schedule_get(*, workflow: Workflow) -> Schedule:
    schedule = Schedule.objects.filter(workflow=workflow).select_related("workflow").first()
    if schedule is None:
        raise NotFound("this workflow has no schedule", code="schedule_not_found")
    return schedule


def run_outcome(*, run_id: Uuid, node_id: str = "") -> dict[str, Any]:
    """{"runId", "status"}; once the run has ended, also "output" (the named node's, or the last
    succeeded step's) or "error". Outputs are stored redacted, so no secret comes out."""
    run = Run.objects.only("id", "status", "error").get(pk=run_id)
    outcome: dict[str, Any] = {"runId": str(run.pk), "status": run.status}
    if run.status not in RUN_TERMINAL:
        return outcome
    if run.status != RunStatus.SUCCEEDED:
        failed = Step.objects.filter(run_id=run_id, status=StepStatus.FAILED).order_by("position").first()
        outcome["error"] = (failed.error if failed else "") or run.error or f"run {run.status}"
        return outcome
    steps = Step.objects.filter(run_id=run_id, status=StepStatus.SUCCEEDED)
    step = steps.filter(node_id=node_id).first() if node_id else steps.order_by("-position").first()
    outcome["output"] = step.output if step is not None else None
    return outcome
