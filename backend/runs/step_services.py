"""The engine's writes for one step: a fenced claim and a finish that readies successors.

Every status change is a conditional UPDATE whose row count says whether this caller won, so a
redelivered message, a stale attempt or a race with cancel does nothing harmful.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from backend.core.lookups import STATUS_GUARD_SQL
from backend.core.timefmt import elapsed_ms
from backend.events.publisher import EventDraft, append_events, db_uuid, poke, reserve_seq, store_events
from backend.runs import fastpath
from backend.runs.dispatch import enqueue_now, enqueue_steps_on_commit
from backend.runs.models import Run, Step
from backend.runs.states import RUN_ACTIVE, RunStatus, StepStatus


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


def step_claim(*, step_id: int) -> Claim | None:
    """queued → running with attempt + 1, only while the run is active; None when not ours.

    Three statements and one commit on the hot path: the guarded step UPDATE returns the row, and
    one run UPDATE both moves a queued run to running and reserves the event's sequence number.
    """
    now = timezone.now()
    if fastpath.enabled():
        return _claim_fast(step_id=step_id, now=now)
    with transaction.atomic():
        # Conditions on the step's own columns only: PostgreSQL re-checks those after waiting on a
        # concurrent claim's row lock, whereas a join (run status) would sit in a subquery that is
        # not re-evaluated, letting a duplicate delivery claim the step too.
        step = _claim_step(step_id=step_id, now=now)
        if step is None:
            return None
        run = _activate_run(run_id=step.run_id, now=now)
        if run is None:
            # Cancel turns queued steps into cancelled ones, so this only happens to a step whose
            # run ended another way (deadline): leave it cancelled rather than run it.
            Step.objects.filter(pk=step_id, attempt=step.attempt).update(status=StepStatus.CANCELLED, finished_at=now)
            return None
        store_events(
            run_id=run.pk,
            last_seq=run.event_seq,
            drafts=[
                EventDraft(
                    type="step_started",
                    node_id=step.node_id,
                    message=f"{step.label or step.node_id} started",
                    data={"attempt": step.attempt},
                )
            ],
        )
    return Claim(step=step, run=run, attempt=step.attempt)


def _claim_fast(*, step_id: int, now: Any) -> Claim | None:
    claimed = fastpath.claim(step_id=step_id, now=now)
    if claimed is None:
        return None
    step, run = claimed
    if run is None:
        Step.objects.filter(pk=step_id, attempt=step.attempt).update(status=StepStatus.CANCELLED, finished_at=now)
        return None
    poke(run_id=run.pk, seq=run.event_seq)
    return Claim(step=step, run=run, attempt=step.attempt)


def _claim_step(*, step_id: int, now: Any) -> Step | None:
    table = Step._meta.db_table
    columns = ", ".join(f.column for f in Step._meta.concrete_fields)
    sql = (
        f"UPDATE {table} SET status = %s, attempt = attempt + 1, started_at = %s, heartbeat_at = %s "  # noqa: S608
        f"WHERE id = %s AND {STATUS_GUARD_SQL} = %s RETURNING {columns}"
    )
    rows = list(Step.objects.raw(sql, [StepStatus.RUNNING, now, now, step_id, StepStatus.QUEUED]))
    return rows[0] if rows else None


def _activate_run(*, run_id: Any, now: Any) -> Run | None:
    """queued/running → running with one more event reserved; None when the run is not active.

    Only the fields a node needs are read (never the plan, which grows with the graph).
    """
    table = Run._meta.db_table
    sql = (
        f"UPDATE {table} SET status = %s, started_at = COALESCE(started_at, %s), "  # noqa: S608
        f"event_seq = event_seq + 1 WHERE id = %s AND {STATUS_GUARD_SQL} IN (%s, %s) "
        "RETURNING id, owner_id, workflow_id, status, payload, variables, event_seq, started_at"
    )
    rows = list(Run.objects.raw(sql, [RunStatus.RUNNING, now, db_uuid(run_id), *RUN_ACTIVE]))
    return rows[0] if rows else None


def upstream_outputs(*, run_id: Any, node_ids: Sequence[str]) -> dict[str, Any]:
    if not node_ids:
        return {}
    rows = Step.objects.filter(run_id=run_id, node_id__in=list(node_ids)).values_list("node_id", "output")
    return dict(rows)


def step_finish(*, claim: Claim, outcome: Outcome, descendants: Sequence[str], successors: Sequence[str]) -> bool:
    """Store the outcome (fenced by attempt), ready or skip successors, close the run when last.

    Returns False when the attempt was stale and nothing was written.
    """
    step, now = claim.step, timezone.now()
    duration_ms = elapsed_ms(step.started_at, now) if step.started_at else 0
    if outcome.status == StepStatus.SUCCEEDED and fastpath.enabled():
        return _finish_fast(claim=claim, outcome=outcome, duration_ms=duration_ms, now=now, successors=successors)
    with transaction.atomic():
        won = Step.objects.filter(pk=step.pk, attempt=claim.attempt, status__guard=StepStatus.RUNNING).update(
            status=outcome.status,
            output=outcome.output,
            error=outcome.error,
            finished_at=now,
            duration_ms=duration_ms,
        )
        if not won:
            return False
        skipped = _skip(run_id=step.run_id, node_ids=descendants) if outcome.status != StepStatus.SUCCEEDED else []
        ready = _release(run_id=step.run_id, node_ids=successors) if outcome.status == StepStatus.SUCCEEDED else []
        drafts = [*outcome.logs, _finish_event(step, outcome, duration_ms)]
        drafts += [
            EventDraft(
                type="step_skipped", node_id=n, level="warn", message=f"{n} skipped: {step.node_id} {outcome.status}"
            )
            for n in skipped
        ]
        last_seq, remaining, run_status = reserve_seq(
            run_id=step.run_id,
            count=len(drafts),
            # steps_failed moves under the same row lock: the fast path's last finish closes by it.
            extra_sql=", steps_remaining = steps_remaining - %s, steps_failed = steps_failed + %s",
            extra_params=[1 + len(skipped), int(outcome.status == StepStatus.FAILED)],
        )
        store_events(run_id=step.run_id, last_seq=last_seq, drafts=drafts)
        if run_status in RUN_ACTIVE:
            enqueue_steps_on_commit(ready)
            if remaining <= 0:
                run_close(run_id=step.run_id)
    return True


def _finish_fast(*, claim: Claim, outcome: Outcome, duration_ms: int, now: Any, successors: Sequence[str]) -> bool:
    step = claim.step
    drafts = [*outcome.logs, _finish_event(step, outcome, duration_ms)]
    result = fastpath.finish_succeeded(
        step_id=step.pk, attempt=claim.attempt, output=outcome.output, duration_ms=duration_ms, now=now,
        successors=successors, drafts=drafts,
    )  # fmt: skip
    if result is None:
        return False
    last_seq, _remaining, run_status, ready, _closed = result
    poke(run_id=step.run_id, seq=last_seq)
    if run_status in RUN_ACTIVE:
        enqueue_now(ready)  # the last step closed the run in the same statement (fastpath.FINISH_SQL)
    return True


def descendants_of(*, run_id: Any, successors: Sequence[str]) -> list[str]:
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


def _skip(*, run_id: Any, node_ids: Sequence[str]) -> list[str]:
    """Queued `node_ids` → skipped; returns exactly the rows this UPDATE moved, in plan order.

    Two parents of one join failing at once both try: the second waits on the first's row lock,
    re-checks `status = queued` and moves nothing, so the join is counted (and closed over) once.
    """
    if not node_ids:
        return []
    table = Step._meta.db_table
    placeholders = ", ".join(["%s"] * len(node_ids))
    sql = (
        f"UPDATE {table} SET status = %s, finished_at = %s "  # noqa: S608 - fixed identifiers
        f"WHERE run_id = %s AND {STATUS_GUARD_SQL} = %s AND node_id IN ({placeholders}) RETURNING node_id, position"
    )
    params = [StepStatus.SKIPPED, timezone.now(), db_uuid(run_id), StepStatus.QUEUED, *node_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [node_id for node_id, _ in sorted(rows, key=lambda row: row[1])]


def _release(*, run_id: Any, node_ids: Sequence[str]) -> list[int]:
    """Decrement each successor's pending count in one statement; return those now ready."""
    if not node_ids:
        return []
    table = Step._meta.db_table
    placeholders = ", ".join(["%s"] * len(node_ids))
    sql = (
        f"UPDATE {table} SET pending_deps = pending_deps - 1, "  # noqa: S608 - fixed identifiers
        # queued_at becomes the moment the step is ready, which the lost-message watchdog reads.
        f"queued_at = CASE WHEN pending_deps = 1 THEN %s ELSE queued_at END "
        f"WHERE run_id = %s AND node_id IN ({placeholders}) RETURNING id, pending_deps, status"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), db_uuid(run_id), *node_ids])
        rows = cursor.fetchall()
    return [row[0] for row in rows if row[1] == 0 and row[2] == StepStatus.QUEUED]


def run_close(*, run_id: Any) -> bool:
    """Active → succeeded/failed once every step is terminal; the guard makes it happen once."""
    if fastpath.enabled():
        closed = fastpath.close_run(run_id=run_id, now=timezone.now())
        if closed is not None:
            poke(run_id=run_id, seq=closed[0])
        return closed is not None
    # The same counter the fast paths close by: every failure moved it with the run's row.
    failed = (Run.objects.filter(pk=run_id).values_list("steps_failed", flat=True).first() or 0) > 0
    status = RunStatus.FAILED if failed else RunStatus.SUCCEEDED
    now = timezone.now()
    # One transaction: a worker killed between the close and its event would leave a finished run
    # without its terminal event (what a stream waits for) or a hole in the event numbers.
    with transaction.atomic(savepoint=False):
        won = Run.objects.filter(pk=run_id, status__guard_in=RUN_ACTIVE).update(
            status=status, finished_at=now, error="a step failed" if failed else ""
        )
        if won:
            append_events(
                run_id=run_id,
                drafts=[EventDraft(type=f"run_{status}", level="error" if failed else "info", message=f"run {status}")],
            )
    return bool(won)
