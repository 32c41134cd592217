"""The RunStore protocol: every state change of a run and its steps, and the results they return."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from backend.core.types import Uuid
from backend.events.publisher import EventDraft
from backend.runs.models import Run, Step


@dataclass(frozen=True)
class Claimed:
    """A step this caller now runs (attempt raised) and the fields of its run a node needs."""

    step: Step
    run: Run


@dataclass(frozen=True)
class StepOutcome:
    """What a worker reports for one attempt of a step, and the graph around it."""

    step_id: int
    run_id: Uuid
    node_id: str
    attempt: int
    status: str  # succeeded | failed | cancelled
    output: Any
    error: str
    duration_ms: int
    drafts: Sequence[EventDraft]  # the step's log lines and its finish event
    successors: Sequence[str]  # released on success, each with a delivered input
    descendants: Sequence[str]  # skipped on failure or cancel, where still queued
    now: datetime
    # On a success that took only some outputs: the successors on the others (an input, not delivered).
    dead: Sequence[str] = ()
    # A failure the node's on_error setting handles: stored as failed, released like a success, and
    # not counted against the run.
    handled: bool = False


@dataclass(frozen=True)
class Finished:
    """A stored outcome: the run's last event, its status, the successors to enqueue (none once the
    run is no longer active) and whether this finish closed the run."""

    last_seq: int
    run_status: str
    ready: list[int]
    closed: bool


@dataclass(frozen=True)
class Closed:
    """A run this call closed: its terminal event's seq and its final status."""

    seq: int
    status: str


class RunStore(Protocol):
    """Each method is one guarded state change, atomic on its own and inside a caller's transaction.

    A method that loses its guard (a stale attempt, a duplicate delivery, a run already ended)
    changes nothing and says so (None or False). Nothing here enqueues or pokes: callers do both with
    `transaction.on_commit`, which runs at once in autocommit and after the caller's commit otherwise.
    Rows are locked in the order step → successors or descendants → run, as `run_cancel` does too.
    """

    def store_run(
        self, *, run: Run, steps: Sequence[Step], drafts: Sequence[EventDraft], ready_nodes: Sequence[str],
        now: datetime,
    ) -> list[int]:  # fmt: skip
        """Insert the run, its steps and first events; the ids of the steps `ready_nodes` names.
        A second run with the same owner and idempotency key raises IntegrityError."""
        ...

    def claim_step(self, *, step_id: int, now: datetime) -> Claimed | None:
        """Step queued → running, run → running, step_started stored. None when the step was not
        queued; a step whose run is no longer active is cancelled and None returned."""
        ...

    def finish_step(self, outcome: StepOutcome) -> Finished | None:
        """Step running → outcome.status (fenced by attempt). Success releases successors; failure
        or cancel skips queued descendants. The run's last step closes it. None when stale."""
        ...

    def close_run(self, *, run_id: Uuid, now: datetime) -> Closed | None:
        """Active run → succeeded/failed with its terminal event; None when it was not active."""
        ...

    def cancel_run(self, *, run_id: Uuid) -> int | None:
        """Active run → cancelled with its queued and running steps; the last event's seq, or None."""
        ...

    def append_events(self, *, run_id: Uuid, drafts: Sequence[EventDraft]) -> int:
        """Store drafts after the run's last event; the new last seq. LookupError for no such run."""
        ...

    def heartbeat(self, *, owned: Mapping[int, int]) -> set[int]:
        """Stamp running steps owned as {step id: attempt}; those whose run is still active."""
        ...

    def park_step(self, *, step: Step, attempt: int, resume_at: datetime, drafts: Sequence[EventDraft]) -> int | None:
        """Running → waiting until `resume_at` (fenced by attempt), drafts stored; the last seq, or None."""
        ...

    def resume_step(self, *, step_id: int, now: datetime) -> bool:
        """Waiting → queued once `resume_at` has passed and the run is active; False otherwise."""
        ...

    def requeue_step(self, *, step: Step) -> int | None:
        """A lost worker's step running → queued (fenced by attempt); the event's seq, or None."""
        ...

    def cancel_lost_step(self, *, step: Step) -> bool:
        """A lost worker's step of a run that already ended running → cancelled (fenced by attempt)."""
        ...

    def restamp_queued(self, *, step_ids: Sequence[int], now: datetime) -> None:
        """queued_at = now for those still queued: their messages are being sent again."""
        ...

    def time_out_run(self, *, run_id: Uuid, error: str) -> int | None:
        """Active run → failed, its queued steps cancelled; the run_failed event's seq, or None."""
        ...

    def delete_runs(self, *, run_ids: Sequence[Uuid]) -> int:
        """Finished runs → gone, with their events and steps, in one transaction; the runs deleted.
        An active run among them is kept (the guard), so retention can never cut a run short."""
        ...


def skipped_drafts(outcome: StepOutcome, skipped: Sequence[str]) -> list[EventDraft]:
    """One step_skipped event per node the failure or cancel of `outcome` skipped."""
    cause = f"{outcome.node_id} {outcome.status}"
    return [EventDraft(type="step_skipped", node_id=n, level="warn", message=f"{n} skipped: {cause}") for n in skipped]


def terminal_draft(status: str) -> EventDraft:
    """The run's last event, as CLOSE writes it (backend/runs/store/queries.py)."""
    return EventDraft(type=f"run_{status}", level="error" if status == "failed" else "info", message=f"run {status}")
