"""When the engine gives a failed step another attempt: kinds with RetrySettings, doubling waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workers.executors.base import MAX_RETRY_WAIT_S
from workers.retry import retry_at

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_retry_at_doubles_the_wait_until_the_retries_are_spent() -> None:
    config = {"retries": 3, "retry_backoff_s": 2}
    waits = [retry_at(kind="transform", config=config, attempt=n, now=NOW) for n in (1, 2, 3, 4)]
    assert waits == [NOW + timedelta(seconds=s) for s in (2, 4, 8)] + [None]


def test_retry_at_defaults_to_no_retry() -> None:
    assert retry_at(kind="branch", config={}, attempt=1, now=NOW) is None


def test_retry_at_uses_the_default_wait_when_only_retries_are_set() -> None:
    assert retry_at(kind="merge", config={"retries": 1}, attempt=1, now=NOW) == NOW + timedelta(seconds=1)


def test_retry_at_leaves_io_kinds_to_their_own_loop() -> None:
    for kind in ("http", "slack", "notion_page", "delay", "start"):
        assert retry_at(kind=kind, config={"retries": 5}, attempt=1, now=NOW) is None, kind


def test_retry_at_caps_the_wait() -> None:
    due = retry_at(kind="switch", config={"retries": 10, "retry_backoff_s": 3600}, attempt=10, now=NOW)
    assert due == NOW + timedelta(seconds=MAX_RETRY_WAIT_S)
