"""A run's start (compile, idempotency, vault unlock, store, enqueue) and its cancel; the store writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from backend.core.errors import Unprocessable, ValidationFailed
from backend.core.types import Owner, Uuid
from backend.credentials.passphrase_services import run_unlock
from backend.events.publisher import EventDraft, poke_on_commit
from backend.runs.dispatch import enqueue_steps_on_commit
from backend.runs.models import Run, Step
from backend.runs.states import RunStatus, StepStatus
from backend.runs.store import get_store
from backend.workflows.graph import compile_graph
from backend.workflows.selectors import workflow_get
from workers.template_refs import config_credentials


def request_fingerprint(body: Mapping[str, Any]) -> str:
    """A stable hash of what was asked for, to tell a retry from a reused idempotency key."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _existing_for_key(*, owner: Owner, idempotency_key: str, fingerprint: str) -> Run | None:
    run = Run.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
    if run is not None and run.request_hash != fingerprint:
        raise Unprocessable(
            "this Idempotency-Key was already used with a different request body",
            code="idempotency_key_reused",
            details={"idempotencyKey": idempotency_key, "runId": str(run.id)},
        )
    return run


def run_start(
    *,
    owner: Owner,
    graph: Mapping[str, Any] | None = None,
    workflow_id: Uuid | None = None,
    payload: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    request_id: str = "",
    trigger: str = "api",
    trigger_data: Mapping[str, Any] | None = None,
    vault_holder: str | None = None,
) -> tuple[Run, bool]:
    """Compile and store a run with its steps; enqueue the ready steps after commit.

    Returns (run, created). The same key with the same body returns the first run unchanged.
    `vault_holder` (a login session or token) lends the run its vault unlock; a run that needs a
    protected credential without one is refused (Locked) before anything is stored or sent.
    """
    payload = dict(payload or {})
    fingerprint = request_fingerprint({"graph": graph, "workflowId": str(workflow_id or ""), "payload": payload})
    if idempotency_key:
        existing = _existing_for_key(owner=owner, idempotency_key=idempotency_key, fingerprint=fingerprint)
        if existing is not None:
            return existing, False
    workflow = None
    if workflow_id is not None:
        workflow = workflow_get(user=owner, workflow_id=workflow_id)
        graph, variables = workflow.graph, dict(workflow.variables or {})
    elif graph is not None:
        variables = dict(graph.get("vars") or {}) if isinstance(graph.get("vars"), dict) else {}
    else:
        raise ValidationFailed("give either `graph` or `workflowId`", details={"graph": ["required"]})
    plan = compile_graph(graph)
    needed = set().union(*(config_credentials(node["config"]) for node in plan["nodes"]))
    grant_id = run_unlock(owner=owner, credential_names=needed, holder=vault_holder)
    try:
        run = _store_run(
            owner=owner,
            workflow=workflow,
            graph=graph,
            plan=plan,
            variables=variables,
            payload=payload,
            idempotency_key=idempotency_key or None,
            fingerprint=fingerprint,
            request_id=request_id,
            trigger=trigger,
            trigger_data=dict(trigger_data or {}),
            vault_grant=grant_id,
            workflow_version=workflow.version if workflow is not None else None,
        )
    except IntegrityError:
        # Two requests raced with one key: the loser returns the winner's run.
        if not idempotency_key:
            raise
        existing = _existing_for_key(owner=owner, idempotency_key=idempotency_key, fingerprint=fingerprint)
        if existing is None:
            raise
        return existing, False
    return run, True


def _store_run(
    *,
    owner: Owner,
    workflow: Any,
    graph: Mapping[str, Any],
    plan: dict[str, Any],
    variables: dict[str, Any],
    payload: dict[str, Any],
    idempotency_key: str | None,
    fingerprint: str,
    request_id: str,
    trigger: str,
    trigger_data: dict[str, Any] | None = None,
    vault_grant: Any = None,
    workflow_version: int | None = None,
) -> Run:
    now = timezone.now()
    steps, drafts = _initial_steps(plan["nodes"], payload=payload, now=now)
    remaining = sum(1 for step in steps if step.status == StepStatus.QUEUED)
    finished = remaining == 0
    if finished:
        drafts.append(EventDraft(type="run_succeeded", message="run succeeded"))
    run = Run(
        owner=owner,
        workflow=workflow,
        graph=dict(graph),
        plan=plan,
        variables=variables,
        payload=payload,
        idempotency_key=idempotency_key,
        request_hash=fingerprint,
        request_id=request_id,
        trigger=trigger,
        trigger_data=trigger_data or {},
        workflow_version=workflow_version,
        vault_grant=vault_grant,
        status=RunStatus.SUCCEEDED if finished else RunStatus.QUEUED,
        steps_remaining=remaining,
        event_seq=len(drafts),
        created_at=now,
        updated_at=now,
        started_at=now if finished else None,
        finished_at=now if finished else None,
    )
    ready_nodes = [
        s.node_id
        for s in steps
        if s.status == StepStatus.QUEUED and (s.pending_deps == 0 or (s.first_input and s.live_inputs > 0))
    ]
    # Nobody can watch a run whose id is not out yet, so there is no one to poke.
    ready = get_store().store_run(run=run, steps=steps, drafts=drafts, ready_nodes=ready_nodes, now=now)
    enqueue_steps_on_commit(ready)
    return run


def _initial_steps(nodes: Sequence[Mapping[str, Any]], *, payload: dict[str, Any], now: Any) -> tuple[
    list[Step], list[EventDraft]
]:  # fmt: skip
    """The run's steps (unsaved) and first events: inline nodes (start) complete here."""
    from workers.executors.registry import SPECS

    inline = {n["id"] for n in nodes if SPECS[n["kind"]].inline and not n["deps"]}
    pending = {n["id"]: len(n["deps"]) for n in nodes}
    live = dict.fromkeys(pending, 0)
    for node in nodes:
        if node["id"] in inline:
            for successor in node["next"]:
                pending[successor] -= 1
                live[successor] += 1
    drafts = [EventDraft(type="run_queued", message=f"run queued ({len(nodes)} steps)")]
    steps = []
    for position, node in enumerate(nodes):
        done = node["id"] in inline
        steps.append(
            Step(
                node_id=node["id"],
                kind=node["kind"],
                label=node["label"],
                position=position,
                config=node["config"],
                dependencies=node["deps"],
                successors=node["next"],
                pending_deps=pending[node["id"]],
                live_inputs=live[node["id"]],
                first_input=SPECS[node["kind"]].runs_on_first_input(node["config"]),
                ports=node.get("ports"),
                status=StepStatus.SUCCEEDED if done else StepStatus.QUEUED,
                attempt=1 if done else 0,
                queued_at=now,
                started_at=now if done else None,
                finished_at=now if done else None,
                duration_ms=0 if done else None,
                # Inline nodes (start) do no I/O: completing them here saves a task hop per run.
                output={"payload": payload} if done else None,
            )
        )
        if done:
            drafts.append(
                EventDraft(type="step_succeeded", node_id=node["id"], message=f"{node['label']} succeeded", data={})
            )
    return steps, drafts


def run_cancel(*, run: Run) -> bool:
    """Active → cancelled (guarded); queued and running steps become cancelled, each with its event
    before the run's terminal one. A second call changes nothing.

    A worker still inside a cancelled step notices within one heartbeat (its step is no longer
    running), breaks its request, and its late finish finds nothing to write; no successor starts
    because the run is no longer active.
    """
    last_seq = get_store().cancel_run(run_id=run.pk)
    if last_seq is None:
        return False
    poke_on_commit(run_id=run.pk, seq=last_seq)
    return True
