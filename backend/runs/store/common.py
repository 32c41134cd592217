"""What both stores do through the ORM: cancel, deadlines, recovery, heartbeats (off the hot path)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from backend.core.timefmt import elapsed_ms
from backend.core.types import Uuid
from backend.events.publisher import EventDraft
from backend.runs.models import Run, RunEvent, Step
from backend.runs.states import RUN_ACTIVE, RunStatus, StepStatus
from backend.runs.store.base import Closed, Finished
from backend.runs.store.branching import BranchingFinish

_OPEN = (StepStatus.QUEUED, StepStatus.RUNNING, StepStatus.WAITING)
_NOT_STARTED = (StepStatus.QUEUED, StepStatus.WAITING)


class CommonStore(BranchingFinish):
    """The RunStore methods whose ORM form is as good on PostgreSQL as anywhere."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using

    def steps(self) -> QuerySet[Step]:
        return Step.objects.using(self.using)

    def runs(self) -> QuerySet[Run]:
        return Run.objects.using(self.using)

    def atomic(self, *, savepoint: bool = True) -> AbstractContextManager[Any]:
        return transaction.atomic(using=self.using, savepoint=savepoint)

    def append_events(self, *, run_id: Uuid, drafts: Sequence[EventDraft]) -> int:
        raise NotImplementedError

    def close_run(self, *, run_id: Uuid, now: datetime) -> Closed | None:
        raise NotImplementedError

    def move_counters(
        self, *, run_id: Uuid, drafts: Sequence[EventDraft], now: datetime, done: int, failed: int
    ) -> tuple[Any, ...]:
        """Events up by the drafts (stored), steps_remaining down by `done`, steps_failed up by
        `failed`, under one row lock; (event_seq, steps_remaining, status)."""
        raise NotImplementedError

    def settle(self, *, run_id: Uuid, counters: Sequence[Any], ready: list[int], now: datetime) -> Finished:
        """After a finish moved the run's counters (last seq, steps remaining, status): close the run
        when no step remains, inside the finish's transaction; enqueue nothing once it is not active."""
        last_seq, remaining, status = int(counters[0]), int(counters[1]), str(counters[2])
        if status not in RUN_ACTIVE:
            return Finished(last_seq=last_seq, run_status=status, ready=[], closed=False)
        if remaining <= 0:
            closed = self.close_run(run_id=run_id, now=now)
            if closed is not None:
                return Finished(last_seq=closed.seq, run_status=closed.status, ready=[], closed=True)
        return Finished(last_seq=last_seq, run_status=status, ready=ready, closed=False)

    def cancel_claimed(self, *, step: Step, now: datetime) -> None:
        # Cancel turns queued steps into cancelled ones, so only a step whose run ended another way
        # (its deadline) gets here: it is left cancelled rather than run.
        self.steps().filter(pk=step.pk, attempt=step.attempt, status__guard=StepStatus.RUNNING).update(
            status=StepStatus.CANCELLED, finished_at=now
        )

    def cancel_run(self, *, run_id: Uuid) -> int | None:
        open_steps = self.steps().filter(run_id=run_id, status__in=_OPEN)
        with self.atomic():
            # Steps before the run row, in pk (= topological) order: the order a finish locks them in.
            steps = list(open_steps.select_for_update().order_by("pk").only("pk", "node_id", "label", "started_at"))
            # The clock after the locks: a step claimed while we waited started after any earlier "now".
            now = timezone.now()
            won = (
                self.runs()
                .filter(pk=run_id, status__in=RUN_ACTIVE)
                .update(status=RunStatus.CANCELLED, finished_at=now, error="cancelled by user")
            )
            if not won:
                return None
            for step in steps:
                duration = elapsed_ms(step.started_at, now) if step.started_at else None
                open_steps.filter(pk=step.pk).update(status=StepStatus.CANCELLED, finished_at=now, duration_ms=duration)
            drafts = [
                EventDraft(type="step_cancelled", node_id=s.node_id, level="warn",
                           message=f"{s.label or s.node_id} cancelled")
                for s in steps
            ]  # fmt: skip
            drafts.append(EventDraft(type="run_cancelled", level="warn", message="run cancelled"))
            return self.append_events(run_id=run_id, drafts=drafts)

    def heartbeat(self, *, owned: Mapping[int, int]) -> set[int]:
        if not owned:
            return set()
        mine = Q()
        for step_id, attempt in owned.items():
            mine |= Q(pk=step_id, attempt=attempt)
        rows = self.steps().filter(mine, status=StepStatus.RUNNING)
        with self.atomic():
            # Rows a cancel or a finish holds are skipped, not waited for: waiting, in another order
            # than theirs, deadlocked against a cancel; the next tick stamps them. The database clock,
            # which the reaper reads too, so a worker host whose clock lags is not taken for dead.
            free = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
            if free:
                self.steps().filter(pk__in=free).update(heartbeat_at=Now())
        return set(rows.filter(run__status__in=RUN_ACTIVE).values_list("pk", flat=True))

    def park_step(self, *, step: Step, attempt: int, resume_at: datetime, drafts: Sequence[EventDraft]) -> int | None:
        with self.atomic():
            won = (
                self.steps()
                .filter(pk=step.pk, attempt=attempt, status__guard=StepStatus.RUNNING)
                .update(status=StepStatus.WAITING, resume_at=resume_at, heartbeat_at=None)
            )
            return self.append_events(run_id=step.run_id, drafts=drafts) if won else None

    def resume_step(self, *, step_id: int, now: datetime) -> bool:
        due = self.steps().filter(
            pk=step_id, status__guard=StepStatus.WAITING, resume_at__lte=now, run__status__in=RUN_ACTIVE
        )
        return bool(due.update(status=StepStatus.QUEUED, queued_at=now))

    def requeue_step(self, *, step: Step) -> int | None:
        with self.atomic():
            won = (
                self.steps()
                .filter(pk=step.pk, attempt=step.attempt, status=StepStatus.RUNNING)
                .update(status=StepStatus.QUEUED, heartbeat_at=None, queued_at=timezone.now())
            )
            if not won:
                return None
            name = step.label or step.node_id
            draft = EventDraft(
                type="step_requeued", level="warn", node_id=step.node_id,
                message=f"{name}: worker lost during attempt {step.attempt}; retrying",
            )  # fmt: skip
            return self.append_events(run_id=step.run_id, drafts=[draft])

    def cancel_lost_step(self, *, step: Step) -> bool:
        return bool(
            self.steps()
            .filter(pk=step.pk, attempt=step.attempt, status=StepStatus.RUNNING)
            .update(status=StepStatus.CANCELLED, heartbeat_at=None, finished_at=timezone.now())
        )

    def restamp_queued(self, *, step_ids: Sequence[int], now: datetime) -> None:
        self.steps().filter(pk__in=list(step_ids), status=StepStatus.QUEUED).update(queued_at=now)

    def time_out_run(self, *, run_id: Uuid, error: str) -> int | None:
        with self.atomic():
            # Step rows before the run row, the order a claim and a finish lock them in; the other
            # order deadlocks against a step finishing at the same moment.
            queued = self.steps().select_for_update().filter(run_id=run_id, status__in=_NOT_STARTED)
            list(queued.order_by("pk").values_list("pk"))
            won = (
                self.runs()
                .filter(pk=run_id, status__in=RUN_ACTIVE)
                .update(status=RunStatus.FAILED, finished_at=timezone.now(), error=error)
            )
            if not won:
                return None
            self.steps().filter(run_id=run_id, status__in=_NOT_STARTED).update(status=StepStatus.CANCELLED)
            draft = EventDraft(type="run_failed", level="error", message=f"run failed: {error}")
            return self.append_events(run_id=run_id, drafts=[draft])

    def delete_runs(self, *, run_ids: Sequence[Uuid]) -> int:
        with self.atomic():
            # Lock the finished ones first: a run cannot become active again, and a row locked here
            # cannot be read half-deleted by a concurrent cancel or close.
            doomed = list(
                self.runs().select_for_update().filter(pk__in=run_ids).exclude(status__in=RUN_ACTIVE)
                .values_list("pk", flat=True)
            )  # fmt: skip
            if not doomed:
                return 0
            # Children first, each one DELETE (no signals, no further cascades), so the run delete finds none.
            RunEvent.objects.using(self.using).filter(run_id__in=doomed).delete()
            self.steps().filter(run_id__in=doomed).delete()
            deleted, _ = self.runs().filter(pk__in=doomed).delete()
            return len(doomed) if deleted else 0
