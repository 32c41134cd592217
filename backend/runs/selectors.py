"""Reads of runs, scoped to the user so another user's run is simply not found."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from backend.core.errors import NotFound
from backend.core.types import Owner, Uuid
from backend.runs.models import Run, RunEvent, Step
from backend.runs.states import RUN_TERMINAL


def run_get(*, user: Owner, run_id: Uuid) -> Run:
    run = Run.objects.filter(pk=run_id, owner=user).select_related("workflow").first()
    if run is None:
        raise NotFound(f"run {run_id} not found")
    return run


# The orderings a list may ask for; the first is the default.
RUN_ORDERINGS = ("-created_at", "created_at", "-updated_at", "updated_at")


def run_list(
    *,
    user: Owner,
    status: str | None = None,
    workflow_id: Uuid | None = None,
    trigger: str | None = None,
    ordering: str = RUN_ORDERINGS[0],
) -> QuerySet[Run]:
    runs = Run.objects.filter(owner=user).select_related("workflow").defer("graph", "plan", "payload")
    if status:
        runs = runs.filter(status=status)
    if trigger:
        runs = runs.filter(trigger=trigger)
    if workflow_id:
        runs = runs.filter(workflow_id=workflow_id)
    return runs.order_by(ordering, "-id")


def run_steps(*, run: Run) -> list[Step]:
    return list(Step.objects.filter(run=run).order_by("position"))


def run_events(*, run: Run, after: int = 0, limit: int | None = None) -> list[RunEvent]:
    events = RunEvent.objects.filter(run=run, seq__gt=after).order_by("seq")
    return list(events[:limit] if limit else events)


def run_vault_grant(*, run_id: Uuid) -> Any:
    """The vault unlock a run carries (None when it started without one)."""
    return Run.objects.filter(pk=run_id).values_list("vault_grant", flat=True).first()


def prunable_run_ids(*, owner_id: int, finished_before: Any, limit: int) -> list[Any]:
    """Up to `limit` of the owner's runs that ended before that moment, oldest first (what retention
    deletes). Per owner, so run_owner_status_created serves it: an index of its own on finished_at
    would be maintained by every run's close. A run ends after it starts, so created_at bounds it too."""
    ended = Run.objects.filter(
        owner_id=owner_id, status__in=RUN_TERMINAL, created_at__lt=finished_before, finished_at__lt=finished_before
    )
    return list(ended.order_by("created_at").values_list("pk", flat=True)[:limit])
