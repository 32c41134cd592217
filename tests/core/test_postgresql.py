"""The pool's checkout check: free for a healthy connection, and a dropped one is replaced before use."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import connection

from backend.core.postgresql.base import check_connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL pool")


def _raw() -> psycopg.Connection[Any]:
    params = connection.get_connection_params()
    return psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "host", "port", "user", "password")})


def test_check_connection_costs_no_round_trip_when_idle(transactional_db: Any) -> None:
    with _raw() as conn:
        conn.autocommit = True
        sent: list[str] = []
        original = conn.execute
        conn.execute = lambda query, *a, **k: sent.append(query) or original(query, *a, **k)  # type: ignore[method-assign]
        check_connection(conn)
        assert sent == []


def test_check_connection_raises_for_a_connection_the_server_dropped(transactional_db: Any) -> None:
    with _raw() as victim, _raw() as admin:
        admin.autocommit = True
        admin.execute("SELECT pg_terminate_backend(%s)", [victim.info.backend_pid])
        admin.execute("SELECT pg_sleep(0.2)")  # the server's goodbye reaches the victim's socket
        with pytest.raises(psycopg.OperationalError):
            check_connection(victim)


def test_pool_uses_the_engine_check_and_replaces_dropped_connections(transactional_db: Any) -> None:
    pool = connection.pool
    assert pool is not None and pool._check is check_connection
    connection.ensure_connection()
    connection.close()  # back to the pool, with the others it holds
    with _raw() as admin:  # a PostgreSQL restart, as far as every pooled connection can tell
        admin.autocommit = True
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        admin.execute("SELECT pg_sleep(0.2)")  # the goodbyes reach the pooled sockets
    with connection.cursor() as cursor:  # without the check, a dead connection: OperationalError
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
