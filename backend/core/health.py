"""Health probes of the database and the Celery broker."""

from __future__ import annotations

from typing import Any

from django.db import connection


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
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


def health_check() -> dict[str, Any]:
    report: dict[str, Any] = {"database": _database(), "broker": _broker()}
    report["ok"] = all(value == "ok" for value in report.values())
    failing = [name for name, value in report.items() if name != "ok" and value != "ok"]
    if failing:
        report["failing"] = failing
    return {"ok": report.pop("ok"), **report}
