"""Timestamps as the prototype's clients read them: ISO 8601, UTC, milliseconds and a Z."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_ms(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def utc_now() -> datetime:
    return datetime.now(UTC)


def elapsed_ms(start: datetime, end: datetime) -> int:
    """Whole ms from `start` to `end`, never negative: the two may come from different hosts' clocks
    (a worker's claim, the web process's cancel), and a duration column only holds zero or more."""
    return max(0, int((end - start).total_seconds() * 1000))
