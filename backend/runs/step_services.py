"""The engine's writes for one step: a fenced claim and a finish that readies successors.

Each is one guarded state change in the run store (backend/runs/store/), which says whether this
caller won, so a redelivered message, a stale attempt or a race with cancel does nothing harmful.
Successors are enqueued and listeners poked on commit: at once in autocommit, after the caller's
commit inside a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from backend.core.timefmt import elapsed_ms
from backend.core.types import Uuid
from backend.events.publisher import EventDraft, poke_on_commit
from backend.runs.dispatch import enqueue_failure_hook_on_commit, enqueue_steps_on_commit, schedule_resume_on_commit
from backend.runs.models import Run, Step
from backend.runs.states import RunStatus, StepStatus
from backend.runs.store import StepOutcome, get_store


@dataclass
class Claim:
    step: Step
    run: Run
    attempt: int


@dataclass
class Outcome:
    status: str  # succeeded | failed | cancelled
    output: dict[str, Any] | None = None
    error: str = ""
    logs: list[EventDraft] = field(default_factory=list)
    # The named outputs a success took (a branch's ("true",)); None took every output.
    ports: tuple[str, ...] | None = None
    resume_at: datetime | None = None  # a waiting step's due moment


def step_claim(*, step_id: int) -> Claim | None:
    """queued → running with attempt + 1, only while the run is active; None when not ours."""
    claimed = get_store().claim_step(step_id=step_id, now=timezone.now())
    if claimed is None:
        return None
    poke_on_commit(run_id=claimed.run.pk, seq=claimed.run.event_seq)
    return Claim(step=claimed.step, run=claimed.run, attempt=claimed.step.attempt)


def upstream_outputs(*, run_id: Uuid, node_ids: Sequence[str]) -> dict[str, Any]:
    if not node_ids:
        return {}
    rows = Step.objects.filter(run_id=run_id, node_id__in=list(node_ids)).values_list("node_id", "output")
    return dict(rows)


def succeeded_inputs(*, run_id: Uuid, node_ids: Sequence[str]) -> dict[str, Any]:
    """The outputs of those of `node_ids` that succeeded, the first to finish first."""
    rows = Step.objects.filter(run_id=run_id, node_id__in=list(node_ids), status=StepStatus.SUCCEEDED)
    return dict(rows.order_by("finished_at", "pk").values_list("node_id", "output"))


def step_finish(
    *,
    claim: Claim,
    outcome: Outcome,
    descendants: Sequence[str],
    successors: Sequence[str],
    dead: Sequence[str] = (),
    handled: bool = False,
) -> bool:
    """Store the outcome (fenced by attempt), ready or skip successors, close the run when last.
    `dead`: successors on outputs a success did not take (skipped unless another input reaches them).
    `handled`: a failure the node's on_error setting turns into a result (its run does not fail).

    Returns False when the attempt was stale and nothing was written.
    """
    step, now = claim.step, timezone.now()
    duration_ms = elapsed_ms(step.started_at, now) if step.started_at else 0
    finished = get_store().finish_step(
        StepOutcome(
            step_id=step.pk, run_id=step.run_id, node_id=step.node_id, attempt=claim.attempt, status=outcome.status,
            output=outcome.output, error=outcome.error, duration_ms=duration_ms,
            drafts=[*outcome.logs, _finish_event(step, outcome, duration_ms)], successors=successors,
            descendants=descendants, now=now, dead=dead, handled=handled,
        )
    )  # fmt: skip
    if finished is None:
        return False
    poke_on_commit(run_id=step.run_id, seq=finished.last_seq)
    enqueue_steps_on_commit(finished.ready)
    if finished.closed and finished.run_status == RunStatus.FAILED:
        enqueue_failure_hook_on_commit(step.run_id)
    return True


def descendants_of(*, run_id: Uuid, successors: Sequence[str]) -> list[str]:
    """Every node downstream of `successors` (inclusive); reads the plan, so failure path only."""
    plan = Run.objects.values_list("plan", flat=True).get(pk=run_id)
    following = {n["id"]: n["next"] for n in plan.get("nodes", [])}
    seen: set[str] = set()
    stack = list(successors)
    while stack:
        node_id = stack.pop()
        if node_id not in seen:
            seen.add(node_id)
            stack.extend(following.get(node_id, ()))
    return sorted(seen)


def _finish_event(step: Step, outcome: Outcome, duration_ms: int) -> EventDraft:
    name = step.label or step.node_id
    if outcome.status == StepStatus.SUCCEEDED:
        return EventDraft(
            type="step_succeeded",
            node_id=step.node_id,
            message=f"{name} succeeded in {duration_ms} ms",
            data={"durationMs": duration_ms},
        )
    level = "warn" if outcome.status == StepStatus.CANCELLED else "error"
    return EventDraft(
        type=f"step_{outcome.status}",
        node_id=step.node_id,
        level=level,
        message=f"{name} {outcome.status}: {outcome.error}" if outcome.error else f"{name} {outcome.status}",
        data={"durationMs": duration_ms},
    )


def run_close(*, run_id: Uuid) -> bool:
    """Active → succeeded/failed once every step is terminal; the guard makes it happen once."""
    closed = get_store().close_run(run_id=run_id, now=timezone.now())
    if closed is None:
        return False
    poke_on_commit(run_id=run_id, seq=closed.seq)
    if closed.status == RunStatus.FAILED:
        enqueue_failure_hook_on_commit(run_id)
    return True


def step_park(*, claim: Claim, resume_at: datetime, logs: Sequence[EventDraft] = ()) -> bool:
    """Running → waiting until `resume_at` (fenced by attempt), with a step_waiting event; a resume is
    scheduled for that moment, and the reaper resumes the step should that message be lost."""
    step = claim.step
    name = step.label or step.node_id
    due = resume_at.isoformat()
    draft = EventDraft(
        type="step_waiting", node_id=step.node_id, message=f"{name} waits until {due}", data={"resumeAt": due}
    )
    seq = get_store().park_step(step=step, attempt=claim.attempt, resume_at=resume_at, drafts=[*logs, draft])
    if seq is None:
        return False
    poke_on_commit(run_id=step.run_id, seq=seq)
    schedule_resume_on_commit(step_id=step.pk, at=resume_at)
    return True


def step_resume(*, step_id: int) -> bool:
    """A waiting step whose moment has come → queued, and sent to a worker; False when it is not due
    or not waiting any more (resumed already, or its run was cancelled)."""
    if not get_store().resume_step(step_id=step_id, now=timezone.now()):
        return False
    enqueue_steps_on_commit([step_id])
    return True
