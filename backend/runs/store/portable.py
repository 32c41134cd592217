"""The portable store: the ORM, `transaction.atomic` and guarded `.update()` row counts, on any database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from backend.core.types import Uuid
from backend.events.publisher import EventDraft
from backend.runs.models import Run, RunEvent, Step
from backend.runs.states import RUN_ACTIVE, RunStatus, StepStatus
from backend.runs.store.base import Claimed, Closed, Finished, StepOutcome, skipped_drafts, terminal_draft
from backend.runs.store.common import CommonStore

# What a node reads of its run (never the plan, which grows with the graph).
_CLAIM_RUN_FIELDS = (
    "id", "owner_id", "workflow_id", "status", "payload", "variables", "trigger_data", "event_seq", "started_at",
)  # fmt: skip


class PortableStore(CommonStore):
    """Each state change is one transaction of guarded updates: the row count says whether this caller
    won. Guards are on the changed row's own columns, so PostgreSQL re-checks them after a lock wait;
    SQLite's immediate transactions take the write lock first, so there is no wait to re-check after."""

    def store_run(
        self, *, run: Run, steps: Sequence[Step], drafts: Sequence[EventDraft], ready_nodes: Sequence[str],
        now: datetime,
    ) -> list[int]:  # fmt: skip
        with self.atomic():
            run.save(force_insert=True, using=self.using)
            for step in steps:
                step.run = run
            Step.objects.using(self.using).bulk_create(steps)
            self._insert_events(run_id=run.pk, last_seq=len(drafts), drafts=drafts)
        return [s.pk for s in steps if s.node_id in ready_nodes]

    def claim_step(self, *, step_id: int, now: datetime) -> Claimed | None:
        with self.atomic():
            won = (
                self.steps()
                .filter(pk=step_id, status__guard=StepStatus.QUEUED)
                .update(status=StepStatus.RUNNING, attempt=F("attempt") + 1, started_at=now, heartbeat_at=Now())
            )
            if not won:
                return None
            step = self.steps().get(pk=step_id)
            started = Coalesce(F("started_at"), Value(now, output_field=DateTimeField()))
            active = self.runs().filter(pk=step.run_id, status__guard_in=RUN_ACTIVE)
            if not active.update(status=RunStatus.RUNNING, started_at=started, event_seq=F("event_seq") + 1):
                self.cancel_claimed(step=step, now=now)
                return None
            run = self.runs().only(*_CLAIM_RUN_FIELDS).get(pk=step.run_id)
            draft = EventDraft(type="step_started", node_id=step.node_id, data={"attempt": step.attempt},
                               message=f"{step.label or step.node_id} started", ts=now)  # fmt: skip
            self._insert_events(run_id=run.pk, last_seq=run.event_seq, drafts=[draft])
        return Claimed(step=step, run=run)

    def finish_step(self, outcome: StepOutcome) -> Finished | None:
        if outcome.dead or outcome.handled:
            return self.finish_branching(outcome)
        o = outcome
        with self.atomic():
            won = (
                self.steps()
                .filter(pk=o.step_id, attempt=o.attempt, status__guard=StepStatus.RUNNING)
                .update(status=o.status, output=o.output, error=o.error, finished_at=o.now, duration_ms=o.duration_ms)
            )
            if not won:
                return None
            succeeded = o.status == StepStatus.SUCCEEDED
            ready = self._release(o) if succeeded else []
            skipped = [] if succeeded else self._skip(o)
            drafts = [*o.drafts, *skipped_drafts(o, skipped)]
            # steps_failed moves with steps_remaining under the run's row lock: whichever finish takes
            # the last step reads both from the row it locked, so it closes by every failure.
            self.runs().filter(pk=o.run_id).update(
                event_seq=F("event_seq") + len(drafts),
                steps_remaining=F("steps_remaining") - 1 - len(skipped),
                steps_failed=F("steps_failed") + int(o.status == StepStatus.FAILED),
            )
            counters = self.runs().values_list("event_seq", "steps_remaining", "status").get(pk=o.run_id)
            self._insert_events(run_id=o.run_id, last_seq=counters[0], drafts=drafts)
            return self.settle(run_id=o.run_id, counters=counters, ready=ready, now=o.now)

    def _release(self, o: StepOutcome) -> list[int]:
        """Each successor's pending count down by one; those it brought to zero. Only this finish can
        take a successor to zero (its count includes this step), so the read after it is exact."""
        if not o.successors:
            return []
        successors = self.steps().filter(run_id=o.run_id, node_id__in=list(o.successors))
        # queued_at becomes the moment the step is ready, which the lost-message watchdog reads.
        ready_at = Case(When(pending_deps=1, then=Value(o.now)), default=F("queued_at"))
        successors.update(pending_deps=F("pending_deps") - 1, live_inputs=F("live_inputs") + 1, queued_at=ready_at)
        first = Q(first_input=True, live_inputs=1)  # a merge's "first" mode: this is its first input
        ready = successors.filter(Q(pending_deps=0) | first, status=StepStatus.QUEUED).order_by("pk")
        return list(ready.values_list("pk", flat=True))

    def _skip(self, o: StepOutcome) -> list[str]:
        """Queued descendants → skipped; exactly the rows this finish moved, in plan order.

        Locked first, in pk order: of two failing parents of one join, the second waits on the
        first's lock, re-checks `queued` and finds nothing, so the join is skipped and counted once.
        """
        if not o.descendants:
            return []
        queued = self.steps().filter(run_id=o.run_id, node_id__in=list(o.descendants), status__guard=StepStatus.QUEUED)
        rows = list(queued.select_for_update().order_by("pk").values_list("pk", "node_id", "position"))
        self.steps().filter(pk__in=[pk for pk, _, _ in rows]).update(status=StepStatus.SKIPPED, finished_at=o.now)
        return [node_id for _, node_id, _ in sorted(rows, key=lambda row: row[2])]

    def close_run(self, *, run_id: Uuid, now: datetime) -> Closed | None:
        failed = Q(steps_failed__gt=0)
        active = self.runs().filter(pk=run_id, status__guard_in=RUN_ACTIVE)
        with self.atomic():
            # One guarded update that reads steps_failed from the row it locked, as CLOSE does.
            won = active.update(
                status=Case(When(failed, then=Value(RunStatus.FAILED)), default=Value(RunStatus.SUCCEEDED)),
                error=Case(When(failed, then=Value("a step failed")), default=Value("")),
                finished_at=now,
                event_seq=F("event_seq") + 1,
            )
            if not won:
                return None
            seq, status = self.runs().values_list("event_seq", "status").get(pk=run_id)
            self._insert_events(run_id=run_id, last_seq=seq, drafts=[terminal_draft(status)])
        return Closed(seq=seq, status=status)

    def move_counters(
        self, *, run_id: Uuid, drafts: Sequence[EventDraft], now: datetime, done: int, failed: int
    ) -> tuple[Any, ...]:
        self.runs().filter(pk=run_id).update(
            event_seq=F("event_seq") + len(drafts),
            steps_remaining=F("steps_remaining") - done,
            steps_failed=F("steps_failed") + failed,
        )
        counters = self.runs().values_list("event_seq", "steps_remaining", "status").get(pk=run_id)
        self._insert_events(run_id=run_id, last_seq=counters[0], drafts=drafts)
        return tuple(counters)

    def append_events(self, *, run_id: Uuid, drafts: Sequence[EventDraft]) -> int:
        # No savepoint of its own: inside a caller's transaction the counter and the events it numbers
        # commit or roll back with the caller's writes.
        with self.atomic(savepoint=False):
            if not self.runs().filter(pk=run_id).update(event_seq=F("event_seq") + len(drafts)):
                raise LookupError(f"run {run_id} does not exist")
            last_seq = self.runs().values_list("event_seq", flat=True).get(pk=run_id)
            self._insert_events(run_id=run_id, last_seq=last_seq, drafts=drafts)
        return last_seq

    def _insert_events(self, *, run_id: Uuid, last_seq: int, drafts: Sequence[EventDraft]) -> None:
        """The drafts numbered so that the last one gets `last_seq`."""
        now, first = timezone.now(), last_seq - len(drafts) + 1
        RunEvent.objects.using(self.using).bulk_create(
            RunEvent(run_id=run_id, seq=first + i, ts=d.ts or now, level=d.level, node_id=d.node_id, type=d.type,
                     message=d.message, data=d.data)
            for i, d in enumerate(drafts)
        )  # fmt: skip
