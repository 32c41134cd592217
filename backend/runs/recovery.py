"""Recovery of runs the queue let down: lost workers, lost messages, runs past their deadline;
and the removal of expired vault unlocks and of runs past their retention.

The database is the source of truth, so each check is a query for rows in a state that should
not last, and each repair is a guarded state change of the run store, as the engine's own are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now
from django.utils import timezone

from backend.credentials.passphrase_services import vault_purge_expired
from backend.events.publisher import poke_on_commit
from backend.runs.dispatch import enqueue_failure_hook_on_commit, enqueue_steps_on_commit
from backend.runs.models import Run, Step
from backend.runs.retention import retention_cutoff, runs_prune
from backend.runs.states import RUN_ACTIVE, StepStatus
from backend.runs.step_services import Claim, Outcome, descendants_of, run_close, step_finish, step_resume
from backend.runs.store import get_store

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class SweepReport:
    requeued: int = 0
    failed_lost: int = 0
    republished: int = 0
    timed_out: int = 0
    closed: int = 0
    finished: int = 0
    expired_unlocks: int = 0
    resumed: int = 0
    pruned: int = 0

    def any(self) -> bool:
        return any(vars(self).values())


def sweep() -> SweepReport:
    """One pass of every check. Each phase and each row stands alone: a deadlock, a broker error or a
    row that fails every time is logged and retried next sweep without holding up the rest."""
    conf = settings.AUTOMATEOS
    now = timezone.now()
    republish_before = now - timedelta(seconds=conf["QUEUED_REPUBLISH_S"])
    deadline_before = now - timedelta(seconds=conf["MAX_RUN_DURATION_S"])
    report = SweepReport()
    report.requeued, report.failed_lost, report.closed = _phase("lost workers", _recover_lost_workers, (0, 0, 0))
    report.republished = _phase("lost messages", partial(_republish_lost_messages, republish_before), 0)
    report.timed_out = _phase("deadlines", partial(_time_out_runs, deadline_before), 0)
    report.finished = _phase("finished runs", _close_finished_runs, 0)
    report.resumed = _phase("due waiting steps", partial(_resume_due_steps, now), 0)
    report.expired_unlocks = _phase("expired vault unlocks", vault_purge_expired, 0)
    report.pruned = _phase("retention", partial(_prune_old_runs, time.monotonic()), 0)
    return report


@dataclass
class _RetentionClock:
    """When this reaper process last pruned: retention runs once an interval, not every sweep."""

    last: float | None = None


_RETENTION = _RetentionClock()
# One sweep spends at most this long deleting, so the recovery checks keep their pace on a big backlog.
_RETENTION_BUDGET_S = 10.0


def _prune_old_runs(now_monotonic: float) -> int:
    conf = settings.AUTOMATEOS
    cutoff = retention_cutoff()
    last = _RETENTION.last
    if cutoff is None or (last is not None and now_monotonic - last < conf["RETENTION_INTERVAL_S"]):
        return 0
    report = runs_prune(finished_before=cutoff, batch=conf["RETENTION_BATCH"], budget_s=_RETENTION_BUDGET_S)
    # A sweep that ran out of budget leaves the clock alone, so the next sweep goes on with the backlog.
    if not report.batches or report.batches[-1] < conf["RETENTION_BATCH"]:
        _RETENTION.last = now_monotonic
    return report.deleted


def _phase(name: str, check: Callable[[], T], failed: T) -> T:
    try:
        return check()
    except Exception as exc:
        logger.warning("reaper: %s check failed (%s); retrying next sweep", name, type(exc).__name__)
        return failed


def _recover_lost_workers() -> tuple[int, int, int]:
    conf = settings.AUTOMATEOS
    # The database clock, which the heartbeats are stamped with: hosts' clocks may disagree.
    stale = ExpressionWrapper(Now() - timedelta(seconds=conf["STEP_STALE_S"]), output_field=DateTimeField())
    counts = [0, 0, 0]
    for step in Step.objects.filter(status=StepStatus.RUNNING, heartbeat_at__lt=stale).select_related("run"):
        if step.run.status not in RUN_ACTIVE:
            slot, repair = 2, _close_orphan
        elif step.attempt < conf["STEP_MAX_ATTEMPTS"]:
            slot, repair = 0, _requeue
        else:
            slot, repair = 1, _fail_lost
        counts[slot] += _phase(f"step {step.pk}", partial(repair, step), 0)
    return counts[0], counts[1], counts[2]


def _requeue(step: Step) -> int:
    seq = get_store().requeue_step(step=step)
    if seq is None:
        return 0
    poke_on_commit(run_id=step.run_id, seq=seq)
    enqueue_steps_on_commit([step.pk])
    return 1


def _close_orphan(step: Step) -> int:
    # The run already ended (cancelled, or past its deadline) while this step's worker died: a
    # re-queued step could never be claimed again and would stay queued forever, so close it.
    return int(get_store().cancel_lost_step(step=step))


def _fail_lost(step: Step) -> int:
    claim = Claim(step=step, run=step.run, attempt=step.attempt)
    outcome = Outcome(status=StepStatus.FAILED, error=f"worker lost ({step.attempt} attempts)")
    return int(
        step_finish(
            claim=claim,
            outcome=outcome,
            descendants=descendants_of(run_id=step.run_id, successors=step.successors),
            successors=step.successors,
        )
    )


def _republish_lost_messages(before: Any) -> int:
    lost = list(
        Step.objects.filter(
            status=StepStatus.QUEUED, pending_deps=0, queued_at__lt=before, run__status__in=RUN_ACTIVE
        ).values_list("pk", flat=True)[:1000]
    )
    if lost:
        # Re-stamp so each lost message is re-sent once per threshold, not on every sweep.
        get_store().restamp_queued(step_ids=lost, now=timezone.now())
        enqueue_steps_on_commit(lost)
    return len(lost)


def _time_out_runs(before: Any) -> int:
    count = 0
    for run_id in Run.objects.filter(status__in=RUN_ACTIVE, created_at__lt=before).values_list("pk", flat=True):
        seq = get_store().time_out_run(run_id=run_id, error="maximum run duration exceeded")
        if seq is not None:
            poke_on_commit(run_id=run_id, seq=seq)
            enqueue_failure_hook_on_commit(run_id)  # a run past its deadline ends failed
            count += 1
    return count


def _resume_due_steps(now: Any) -> int:
    # A delay's resume message is scheduled in the broker, which a restart can lose: the stored
    # resume_at is the truth, so any waiting step past it is resumed here.
    due = Step.objects.filter(status=StepStatus.WAITING, resume_at__lte=now).values_list("pk", flat=True)[:1000]
    return sum(_phase(f"step {step_id}", partial(step_resume, step_id=step_id), False) for step_id in list(due))


def _close_finished_runs() -> int:
    # The last step's finish closes its run in the same transaction; a run left with every step
    # terminal and the run active (by an older version, or a hand-edited database) is closed here.
    done = Run.objects.filter(status__in=RUN_ACTIVE, steps_remaining__lte=0).values_list("pk", flat=True)[:1000]
    return sum(_phase(f"run {run_id}", partial(run_close, run_id=run_id), False) for run_id in list(done))
