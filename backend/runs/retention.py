"""Retention: runs that ended longer ago than the setting are deleted with their steps and events, a batch at a time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from backend.runs.selectors import prunable_run_ids
from backend.runs.store import get_store


@dataclass
class PruneReport:
    deleted: int = 0
    batches: list[int] = field(default_factory=list)  # runs deleted by each transaction


def runs_prune(*, finished_before: datetime, batch: int, budget_s: float | None = None) -> PruneReport:
    """Delete every run of every owner that ended before the moment, `batch` runs per transaction
    (short row locks, never a table lock); stops early once `budget_s` is spent (the next call goes on)."""
    report = PruneReport()
    started = time.monotonic()
    for owner_id in get_user_model().objects.order_by("pk").values_list("pk", flat=True):
        while budget_s is None or time.monotonic() - started < budget_s:
            ids = prunable_run_ids(owner_id=owner_id, finished_before=finished_before, limit=batch)
            if not ids:
                break
            deleted = get_store().delete_runs(run_ids=ids)
            report.batches.append(deleted)
            report.deleted += deleted
            if len(ids) < batch:
                break
    return report


def retention_cutoff(now: datetime | None = None) -> datetime | None:
    """The moment before which ended runs are deleted; None when retention is off (0 days)."""
    days = settings.AUTOMATEOS["RUN_RETENTION_DAYS"]
    return None if days <= 0 else (now or timezone.now()) - timedelta(days=days)
