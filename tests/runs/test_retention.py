"""Retention: ended runs older than the setting go, with their steps and events, in bounded batches; the rest stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from backend.runs import recovery
from backend.runs.models import Run, RunEvent, Step
from backend.runs.retention import runs_prune
from backend.runs.store import get_store

pytestmark = pytest.mark.django_db

OLD = timedelta(days=40)


def _runs(owner: Any, count: int, *, age: timedelta, status: str = "succeeded") -> list[Run]:
    created = timezone.now() - age
    finished = created if status in ("succeeded", "failed", "cancelled") else None
    rows = [
        Run(owner=owner, status=status, created_at=created, updated_at=created, finished_at=finished)
        for _ in range(count)
    ]
    runs = Run.objects.bulk_create(rows, batch_size=5000)
    ids = [r.pk for r in runs]
    for start in range(0, len(ids), 10_000):  # created_at is auto_now_add: set the age afterwards
        Run.objects.filter(pk__in=ids[start : start + 10_000]).update(created_at=created)
    return runs


def _with_children(run: Run) -> None:
    Step.objects.create(run=run, node_id="a", kind="http", status="succeeded")
    RunEvent.objects.create(run=run, seq=1, ts=run.created_at, type="run_queued", message="queued")


def test_retention_prunes_a_hundred_thousand_runs_in_bounded_batches(user: Any, other_user: Any) -> None:
    old = _runs(user, 60_000, age=OLD) + _runs(other_user, 40_000, age=OLD, status="failed")
    _with_children(old[0])
    _with_children(old[-1])
    recent = _runs(user, 3, age=timedelta(days=2))
    stuck = _runs(user, 2, age=OLD, status="running")  # active: never cut short by retention
    report = runs_prune(finished_before=timezone.now() - timedelta(days=30), batch=5_000)
    assert report.deleted == 100_000
    assert max(report.batches) == 5_000 and len(report.batches) == 20
    assert set(Run.objects.values_list("pk", flat=True)) == {r.pk for r in recent + stuck}
    assert not Step.objects.exists() and not RunEvent.objects.exists()


def test_retention_stops_when_its_budget_is_spent(user: Any) -> None:
    _runs(user, 30, age=OLD)
    report = runs_prune(finished_before=timezone.now() - timedelta(days=30), batch=10, budget_s=0)
    assert report.deleted == 0 and Run.objects.count() == 30


def test_retention_store_delete_keeps_active_runs(user: Any) -> None:
    done, active = _runs(user, 1, age=OLD)[0], _runs(user, 1, age=OLD, status="queued")[0]
    _with_children(active)
    assert get_store().delete_runs(run_ids=[done.pk, active.pk]) == 1
    assert list(Run.objects.values_list("pk", flat=True)) == [active.pk]
    assert Step.objects.filter(run=active).exists() and RunEvent.objects.filter(run=active).exists()


def test_retention_runs_in_the_reaper_once_an_interval(user: Any, settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(recovery, "_RETENTION", recovery._RetentionClock())
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "RETENTION_INTERVAL_S": 3600.0, "RETENTION_BATCH": 500}
    _runs(user, 3, age=OLD)
    assert recovery.sweep().pruned == 3
    _runs(user, 2, age=OLD)
    assert recovery.sweep().pruned == 0  # within the interval
    assert Run.objects.count() == 2


def test_retention_off_keeps_every_run(user: Any, settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(recovery, "_RETENTION", recovery._RetentionClock())
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "RUN_RETENTION_DAYS": 0.0}
    _runs(user, 2, age=timedelta(days=4000))
    assert recovery.sweep().pruned == 0 and Run.objects.count() == 2


def test_retention_command_deletes_with_its_own_days(user: Any) -> None:
    _runs(user, 2, age=timedelta(days=10))
    _runs(user, 1, age=timedelta(days=1))
    out = StringIO()
    call_command("prune_runs", "--days", "5", stdout=out)
    assert "deleted 2 runs" in out.getvalue() and Run.objects.count() == 1
