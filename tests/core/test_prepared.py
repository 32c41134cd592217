"""The prepared cursor: PostgreSQL keeps its statements per connection, and Django's cursors stay unprepared."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.core.prepared import prepared_cursor

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepared statements")

_PROBE = "SELECT %(n)s::int + 1 AS answer /* prepared probe */"


def _prepared_on_this_session() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_prepared_cursor_prepares_on_the_first_execution(transactional_db: Any) -> None:
    with prepared_cursor() as cursor:
        cursor.execute(_PROBE, {"n": 41})
        assert cursor.fetchone() == (42,)
    assert any("prepared probe" in text for text in _prepared_on_this_session())


def test_prepared_cursor_reuses_the_statement_with_new_values(transactional_db: Any) -> None:
    answers = []
    for n in (1, 2, 3):
        with prepared_cursor() as cursor:
            cursor.execute(_PROBE, {"n": n})
            answers.append(cursor.fetchone()[0])
    assert answers == [2, 3, 4]
    assert sum("prepared probe" in text for text in _prepared_on_this_session()) == 1


def test_django_cursors_are_not_prepared(transactional_db: Any) -> None:
    for _ in range(10):  # past psycopg's prepare threshold
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int /* client-bound probe */", [7])
    assert not any("client-bound probe" in text for text in _prepared_on_this_session())


def test_prepared_cursor_logs_readable_sql_while_django_logs_queries(transactional_db: Any) -> None:
    with CaptureQueriesContext(connection) as captured, prepared_cursor() as cursor:
        cursor.execute(_PROBE, {"n": 1})
    assert [q["sql"] for q in captured.captured_queries] == ["SELECT 1::int + 1 AS answer /* prepared probe */"]


def _finish_plans() -> tuple[int, int]:
    """(generic, custom) plans this session made for the finish statement so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(generic_plans), 0), COALESCE(SUM(custom_plans), 0) FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%pending_deps = pending_deps - 1%"],
        )
        generic, custom = cursor.fetchone()
    return int(generic), int(custom)


def test_engine_statements_run_one_generic_plan(transactional_db: Any) -> None:
    """Planned once per connection, not per call (settings.py's plan_cache_mode)."""
    from django.utils import timezone

    from backend.runs.store import StepOutcome, get_store

    stale = StepOutcome(
        step_id=0, run_id=None, node_id="a", attempt=1, status="succeeded", output=None, error="", duration_ms=0,
        drafts=[], successors=["a", "b"], descendants=[], now=timezone.now(),
    )  # fmt: skip

    def finish() -> None:  # a stale attempt of a step that does not exist: the guard writes nothing
        assert get_store().finish_step(stale) is None

    finish()  # prepared now, if an earlier test on this connection had not already
    generic, custom = _finish_plans()
    for _ in range(8):
        finish()
    assert _finish_plans() == (generic + 8, custom)
