"""Health probes of the database, the Celery broker and the workers."""

from __future__ import annotations

from typing import Any

from django.db import connection

from backend.core.liveness import BEAT_STALE_S, launcher_note, workers_alive


def _database() -> str:
    try:
        connection.ensure_connection()
        # A round trip to the server (Django's own probe), not just a connection object in hand.
        return "ok" if connection.is_usable() else "error: the database does not answer"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _broker() -> str:
    from backend.config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _worker() -> str:
    try:
        if workers_alive():
            return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    note = launcher_note("worker")
    if note:
        return f"error: worker {note}"
    return f"error: no worker has reported in the last {BEAT_STALE_S:.0f} s"


def health_check(*, with_workers: bool = True) -> dict[str, Any]:
    """Every part's state; `with_workers=False` checks only what the web process itself needs."""
    report: dict[str, Any] = {"database": _database(), "broker": _broker()}
    if with_workers:
        report["worker"] = _worker() if report["database"] == "ok" else "unknown: the database is down"
    failing = [name for name, value in report.items() if value != "ok"]
    return {"ok": not failing, **report, **({"failing": failing} if failing else {})}
