"""The failure hook: a run that ends failed starts its workflow's failure workflow, once."""

from __future__ import annotations

import logging
from typing import Any

from backend.core.errors import ApplicationError
from backend.core.timefmt import iso_ms
from backend.core.types import Uuid
from backend.runs.models import Run, Step
from backend.runs.services import run_start
from backend.runs.states import RunStatus, RunTrigger, StepStatus

logger = logging.getLogger(__name__)


def failure_hook_key(run_id: Uuid) -> str:
    """The idempotency key of the hook run: a second delivery of the message finds the first run."""
    return f"failure-hook:{run_id}"


def failure_hook_fire(*, run_id: Uuid) -> Run | None:
    """Start the failure workflow of the failed run `run_id` with `{"failedRun": …}` as payload and
    trigger data; the hook run, or None when there is nothing to start. A run a failure hook started
    never fires one (a failure workflow that fails, or names itself, cannot loop)."""
    run = Run.objects.filter(pk=run_id).select_related("owner", "workflow").first()
    if run is None or run.status != RunStatus.FAILED or run.trigger == RunTrigger.FAILURE_HOOK:
        return None
    target_id = run.workflow.failure_workflow_id if run.workflow is not None else None
    if target_id is None:
        return None
    data = {"failedRun": failed_run_document(run)}
    try:
        hook_run, _ = run_start(
            owner=run.owner,
            workflow_id=target_id,
            payload=data,
            idempotency_key=failure_hook_key(run.pk),
            trigger=RunTrigger.FAILURE_HOOK,
            trigger_data=data,
        )
    except ApplicationError as exc:
        # Nobody waits on this start: a failure workflow that needs the vault passphrase, no longer
        # compiles or was replaced since the first start is said in the worker's log.
        logger.warning("failure hook of run %s not started: %s (%s)", run.pk, exc.code, exc.message)
        return None
    return hook_run


def failed_run_document(run: Run) -> dict[str, Any]:
    """What a failure workflow reads as {{payload.failedRun.x}} and {{trigger.failedRun.x}}."""
    step = _failed_step(run)
    return {
        "id": str(run.pk),
        "workflowId": str(run.workflow_id) if run.workflow_id else None,
        "workflowName": run.workflow.name if run.workflow is not None else None,
        "workflowVersion": run.workflow_version,
        "failedNode": {"id": step.node_id, "label": step.label or step.node_id} if step else None,
        "error": (step.error if step and step.error else run.error) or None,
        "finishedAt": iso_ms(run.finished_at),
    }


def _failed_step(run: Run) -> Step | None:
    """The first step whose failure failed the run: a failure its on_error setting handled did not."""
    failed = Step.objects.filter(run=run, status=StepStatus.FAILED).order_by("finished_at", "position")
    for step in failed.only("node_id", "label", "error", "config"):
        if (step.config or {}).get("on_error", "stop") == "stop":
            return step
    return None
