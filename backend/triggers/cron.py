"""Schedule arithmetic: cron and time zone checks, the tick a firing belongs to, the next run times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery.schedules import crontab
from croniter import CroniterError, croniter

from backend.core.errors import ValidationFailed

CRON_FIELDS = ("minute", "hour", "dayOfMonth", "month", "dayOfWeek")
_FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
# The same fields as Celery's crontab names them: beat must accept what croniter does.
_CELERY_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
UNIT_SECONDS = {"minutes": 60, "hours": 3600}


CRON_MAX = 120  # Schedule.cron
TIMEZONE_MAX = 64  # Schedule.timezone


def check_cron(expression: str) -> list[str]:
    """The five fields of a valid expression; a 400 naming the first bad field otherwise."""
    if len(expression) > CRON_MAX:
        raise ValidationFailed(f"`cron` is over {CRON_MAX} characters", details={"cron": [f"max {CRON_MAX}"]})
    fields = expression.split()
    if len(fields) != len(CRON_FIELDS):
        raise ValidationFailed(
            f"`cron` needs 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}",
            details={"cron": [f"expected 5 fields, got {len(fields)}"]},
        )
    for position, (name, value) in enumerate(zip(CRON_FIELDS, fields, strict=True)):
        # Each field alone (the others `*`), so the answer can name it: neither library does.
        probe = ["*"] * 5
        probe[position] = value
        if not croniter.is_valid(" ".join(probe)) or not _celery_accepts(_CELERY_FIELDS[position], value):
            low, high = _FIELD_RANGES[position]
            raise ValidationFailed(
                f"`cron` field {name} ({value!r}) is not valid: "
                f"use numbers {low}-{high}, names, ranges, lists, steps or *",
                details={"cron": [f"{name}: invalid value {value!r}"]},
            )
    if not croniter.is_valid(expression):
        raise ValidationFailed("`cron` is not a valid expression", details={"cron": ["invalid expression"]})
    try:
        croniter(expression, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterError as exc:  # e.g. "0 0 30 2 *": every field valid, no such date
        raise ValidationFailed(
            f"`cron` {expression!r} never matches a date", details={"cron": ["never matches a date"]}
        ) from exc
    return fields


def _celery_accepts(field: str, value: str) -> bool:
    try:
        crontab(**{field: value})
    except ValueError:
        return False
    return True


def check_timezone(name: str) -> ZoneInfo:
    try:
        if len(name) > TIMEZONE_MAX:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a folder or an over-long path
        raise ValidationFailed(
            f"`timezone` {name!r} is not an IANA time zone (e.g. Europe/Paris, America/New_York, UTC)",
            details={"timezone": [f"unknown time zone {name!r}"]},
        ) from exc


def cron_tick(expression: str, tz_name: str, now: datetime) -> datetime:
    """The scheduled time at or before `now` (UTC): the tick a firing at `now` belongs to."""
    local = now.astimezone(ZoneInfo(tz_name))
    # croniter's get_prev is strictly before its start: start one second later so `now` itself counts.
    previous = croniter(expression, local + timedelta(seconds=1)).get_prev(datetime)
    return previous.astimezone(UTC).replace(microsecond=0)


def interval_tick(every_s: int, now: datetime) -> datetime:
    """`now` floored to the interval, counted from the Unix epoch, so every beat agrees on it."""
    seconds = int(now.timestamp()) // every_s * every_s
    return datetime.fromtimestamp(seconds, tz=UTC)


def next_cron_times(expression: str, tz_name: str, now: datetime, count: int = 3) -> list[datetime]:
    it = croniter(expression, now.astimezone(ZoneInfo(tz_name)))
    return [it.get_next(datetime).astimezone(UTC) for _ in range(count)]


def next_interval_times(every_s: int, now: datetime, count: int = 3) -> list[datetime]:
    first = interval_tick(every_s, now) + timedelta(seconds=every_s)
    return [first + timedelta(seconds=every_s * i) for i in range(count)]
