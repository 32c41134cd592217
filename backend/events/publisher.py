"""Event drafts, their append after a run's last event, and the pokes that wake listeners after commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from backend.core.types import Uuid


@dataclass
class EventDraft:
    type: str
    message: str = ""
    level: str = "info"
    node_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    ts: datetime | None = None


def append_events(*, run_id: Uuid, drafts: Sequence[EventDraft]) -> int | None:
    """Store the drafts numbered after the run's last event (the run store moves its counter); poke
    listeners after commit. Returns the new last seq, or None for no drafts."""
    if not drafts:
        return None
    from backend.runs.store import get_store  # the store imports EventDraft from here

    last_seq = get_store().append_events(run_id=run_id, drafts=drafts)
    poke_on_commit(run_id=run_id, seq=last_seq)
    return last_seq


def poke_on_commit(*, run_id: Uuid, seq: int) -> None:
    """Poke once the caller's transaction commits; at once in autocommit, where the write already has."""
    transaction.on_commit(lambda: poke(run_id=run_id, seq=seq))


def poke(*, run_id: Uuid, seq: int) -> None:
    """Tell websocket consumers of this run that events up to `seq` exist. Best effort: the
    database holds the events, so a lost poke only delays a reader until its next timer read."""
    from backend.events.notify import notify_run

    notify_run(run_id=str(run_id), seq=seq)
