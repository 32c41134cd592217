"""Schedule arithmetic: cron fields and time zones checked, ticks for given times, the next runs across DST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.core.errors import ValidationFailed
from backend.triggers.cron import (
    check_cron,
    check_timezone,
    cron_tick,
    interval_tick,
    next_cron_times,
    next_interval_times,
)


@pytest.mark.parametrize(
    ("expression", "field"),
    [
        ("61 * * * *", "minute"),
        ("* 24 * * *", "hour"),
        ("* * 0 * *", "dayOfMonth"),
        ("* * 32 * *", "dayOfMonth"),
        ("* * * 13 *", "month"),
        ("* * * * 7", "dayOfWeek"),
        ("* * * * funday", "dayOfWeek"),
        ("*/0 * * * *", "minute"),
    ],
)
def test_cron_check_names_the_bad_field(expression: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_cron(expression)
    names = ("minute", "hour", "dayOfMonth", "month", "dayOfWeek")
    bad_value = expression.split()[names.index(field)]
    assert caught.value.details == {"cron": [f"{field}: invalid value {bad_value!r}"]}
    assert field in caught.value.message


def test_cron_check_wants_five_fields_and_accepts_common_forms() -> None:
    with pytest.raises(ValidationFailed, match="needs 5 fields"):
        check_cron("* * * *")
    with pytest.raises(ValidationFailed, match="needs 5 fields"):
        check_cron("0 0 * * * *")
    for good in ("*/5 * * * *", "0 9 * * mon-fri", "30 2 1,15 * *", "0 0 * jan,jul 0"):
        assert len(check_cron(good)) == 5


def test_cron_check_timezone_accepts_iana_names_only() -> None:
    assert str(check_timezone("Europe/Paris")) == "Europe/Paris"
    for bad in ("Mars/Olympus", "CET+1", "", "../etc/passwd"):
        with pytest.raises(ValidationFailed) as caught:
            check_timezone(bad)
        assert "timezone" in caught.value.details


def test_cron_tick_is_the_scheduled_time_at_or_before_now() -> None:
    at = datetime(2026, 6, 1, 9, 0, 0, tzinfo=UTC)
    assert cron_tick("0 * * * *", "UTC", at) == at  # exactly on the tick: that tick
    assert cron_tick("0 * * * *", "UTC", at.replace(minute=59, second=59)) == at
    assert cron_tick("*/15 * * * *", "UTC", at.replace(minute=31, second=2)) == at.replace(minute=30)
    # 9:00 in Paris is 07:00 UTC in June.
    assert cron_tick("0 9 * * *", "Europe/Paris", datetime(2026, 6, 1, 7, 0, 0, 400_000, tzinfo=UTC)) == datetime(
        2026, 6, 1, 7, 0, tzinfo=UTC
    )


def test_cron_interval_tick_floors_to_the_interval_from_the_epoch() -> None:
    at = datetime(2026, 6, 1, 9, 7, 31, tzinfo=UTC)
    assert interval_tick(300, at) == datetime(2026, 6, 1, 9, 5, tzinfo=UTC)
    assert interval_tick(3600, at) == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert next_interval_times(300, at) == [datetime(2026, 6, 1, 9, m, tzinfo=UTC) for m in (10, 15, 20)]


def test_cron_next_three_times_follow_the_zone_across_a_dst_change() -> None:
    # New York springs forward on 2026-03-08: 01:30 local is 06:30 UTC before, 05:30 UTC after.
    now = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert next_cron_times("30 1 * * *", "America/New_York", now) == [
        datetime(2026, 3, 8, 6, 30, tzinfo=UTC),
        datetime(2026, 3, 9, 5, 30, tzinfo=UTC),
        datetime(2026, 3, 10, 5, 30, tzinfo=UTC),
    ]
    # Paris falls back on 2026-10-25: 09:00 local is 07:00 UTC before, 08:00 UTC after.
    paris = next_cron_times("0 9 * * *", "Europe/Paris", datetime(2026, 10, 24, 0, 0, tzinfo=UTC))
    assert paris == [datetime(2026, 10, 24, 7, tzinfo=UTC), datetime(2026, 10, 25, 8, tzinfo=UTC),
                     datetime(2026, 10, 26, 8, tzinfo=UTC)]  # fmt: skip


def test_cron_check_refuses_a_date_that_never_comes_and_odd_zone_names() -> None:
    with pytest.raises(ValidationFailed, match="never matches a date"):
        check_cron("0 0 30 2 *")
    with pytest.raises(ValidationFailed, match="over 120 characters"):
        check_cron("1," * 70 + "2 * * * *")
    for bad in ("Etc", "a" * 300, "UTC\x00"):  # a folder of the zone database, a too-long path, a NUL
        with pytest.raises(ValidationFailed):
            check_timezone(bad)
