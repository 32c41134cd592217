"""Run again: a new run with the frozen graph and payload of an earlier one."""

from __future__ import annotations

from django.db import transaction

from backend.core.types import Owner
from backend.runs.models import Run
from backend.runs.services import run_start


def run_rerun(
    *,
    run: Run,
    owner: Owner,
    idempotency_key: str | None = None,
    request_id: str = "",
    vault_holder: str | None = None,
) -> tuple[Run, bool]:
    """Start `run`'s graph again with its payload; the new run keeps the workflow link and version.

    The graph is the one the run was started with (later edits of the workflow do not leak in).
    Returns (new run, created); the same key returns the first rerun unchanged. The new run and its
    workflow link commit together: inside this transaction the run store stores the run as it would
    outside, and its first steps are enqueued once the transaction commits.
    """
    graph = dict(run.graph)
    if run.variables and not isinstance(graph.get("vars"), dict):
        graph["vars"] = dict(run.variables)  # a run of a saved workflow took its variables from it
    with transaction.atomic():
        new, created = run_start(
            owner=owner,
            graph=graph,
            payload=dict(run.payload or {}),
            idempotency_key=idempotency_key,
            request_id=request_id,
            trigger="rerun",
            vault_holder=vault_holder,
        )
        if created and run.workflow_id and new.workflow_id != run.workflow_id:
            # The same graph, so the same version of the workflow as the run it repeats.
            Run.objects.filter(pk=new.pk).update(workflow_id=run.workflow_id, workflow_version=run.workflow_version)
            new.workflow_id, new.workflow_version = run.workflow_id, run.workflow_version
    return new, created
