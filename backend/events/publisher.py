"""Appends RunEvents with per-run sequence numbers and pokes listeners after commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from backend.runs.models import RunEvent


@dataclass
class EventDraft:
    type: str
    message: str = ""
    level: str = "info"
    node_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    ts: datetime | None = None


def reserve_seq(*, run_id: Any, count: int, extra_sql: str = "", extra_params: Sequence[Any] = ()) -> list[Any]:
    """Moves the run's event counter by `count` in one UPDATE … RETURNING; returns that row.

    `extra_sql` lets a caller fold another counter change into the same statement (hot path).
    """
    table = RunEvent._meta.get_field("run").related_model._meta.db_table  # type: ignore[union-attr]
    sql = (
        f"UPDATE {table} SET event_seq = event_seq + %s{extra_sql} WHERE id = %s "  # noqa: S608 - fixed identifiers
        "RETURNING event_seq, steps_remaining, status"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, *extra_params, db_uuid(run_id)])
        row = cursor.fetchone()
    if row is None:
        raise LookupError(f"run {run_id} does not exist")
    return list(row)


def db_uuid(run_id: Any) -> Any:
    # SQLite stores UUIDs as 32-char hex; PostgreSQL takes the uuid directly.
    return run_id.hex if connection.vendor == "sqlite" and hasattr(run_id, "hex") else str(run_id)


def store_events(*, run_id: Any, last_seq: int, drafts: Sequence[EventDraft]) -> list[RunEvent]:
    """Insert drafts numbered so the last one gets `last_seq`; then poke listeners after commit."""
    now = timezone.now()
    first = last_seq - len(drafts) + 1
    events = [
        RunEvent(
            run_id=run_id,
            seq=first + i,
            ts=d.ts or now,
            level=d.level,
            node_id=d.node_id,
            type=d.type,
            message=d.message,
            data=d.data,
        )
        for i, d in enumerate(drafts)
    ]
    RunEvent.objects.bulk_create(events)
    transaction.on_commit(lambda: poke(run_id=run_id, seq=last_seq))
    return events


def append_events(*, run_id: Any, drafts: Sequence[EventDraft]) -> list[RunEvent]:
    """Allocate sequence numbers and store the drafts (caller holds the transaction)."""
    if not drafts:
        return []
    last_seq = reserve_seq(run_id=run_id, count=len(drafts))[0]
    return store_events(run_id=run_id, last_seq=last_seq, drafts=drafts)


def poke(*, run_id: Any, seq: int) -> None:
    """Tell websocket consumers of this run that events up to `seq` exist. Best effort: the
    database holds the events, so a lost poke only delays a reader until its next timer read."""
    from backend.events.notify import notify_run

    notify_run(run_id=str(run_id), seq=seq)
