"""Worker liveness: each worker process records a beat every few seconds; /healthz counts the fresh ones."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from backend.core.models import WorkerBeat

BEAT_INTERVAL_S = 5.0
# Three missed beats: a worker busy with a long step still beats from its own thread.
BEAT_STALE_S = 3 * BEAT_INTERVAL_S


def worker_beat(*, name: str) -> None:
    WorkerBeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


def worker_gone(*, name: str) -> None:
    WorkerBeat.objects.filter(name=name).delete()


def workers_alive() -> int:
    return WorkerBeat.objects.filter(seen_at__gte=timezone.now() - timedelta(seconds=BEAT_STALE_S)).count()


def supervisor_status_path() -> Path:
    """Where `make run`'s launcher says how its children are doing (absent under other launchers)."""
    return Path(settings.DATA_DIR) / "supervisor.json"


def launcher_note(part: str) -> str:
    """The launcher's last word on `part` (e.g. "exited: ModuleNotFoundError: …"), or ""."""
    try:
        status = json.loads(supervisor_status_path().read_text())
    except (OSError, ValueError):
        return ""
    note = status.get(part, "") if isinstance(status, dict) else ""
    return note if isinstance(note, str) else ""
