"""A Django cursor whose statements PostgreSQL parses and plans once per connection, not per call."""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorWrapper
from psycopg.abc import Params, QueryNoTemplate


class PreparedCursor(psycopg.Cursor[Any]):
    """Server-side binding, and every statement prepared on its first execution.

    Django's cursors bind client-side (the values are inlined into the text), so PostgreSQL plans
    every call afresh, and planning the engine's multi-CTE statements costs more than running them.
    Prepared, a pooled connection plans each once.
    """

    def execute(  # type: ignore[override]
        self,
        query: QueryNoTemplate,
        params: Params | None = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> PreparedCursor:
        super().execute(query, params, prepare=True, binary=binary)
        return self


def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """Like `connections[using].cursor()` (errors wrapped, thread sharing checked), but prepared.

    psycopg prepares only on connections whose `prepare_threshold` is set (settings.py sets it; Django's
    default of None turns preparing off). On SQLite, and while Django logs queries (DEBUG,
    CaptureQueriesContext), this is a plain Django cursor: a prepared execution's log has no SQL text.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        return CursorWrapper(PreparedCursor(connection.connection), connection)
