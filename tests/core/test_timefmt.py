"""Time formats and durations as the API and the engine store them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.timefmt import elapsed_ms, iso_ms

T0 = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def test_iso_ms_is_utc_with_milliseconds_and_z() -> None:
    assert iso_ms(T0) == "2026-01-02T03:04:05.678Z"
    assert iso_ms(None) is None


def test_elapsed_ms_counts_whole_milliseconds() -> None:
    assert elapsed_ms(T0, T0 + timedelta(seconds=1.2345)) == 1234


def test_elapsed_ms_is_never_negative_when_clocks_disagree() -> None:
    assert elapsed_ms(T0, T0 - timedelta(seconds=3)) == 0
