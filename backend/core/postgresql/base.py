"""Django's PostgreSQL backend with a pool checkout check that costs no round trip while idle."""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


def check_connection(conn: Any) -> None:
    """Raise if `conn` is unusable, so the pool replaces it before Django sees it.

    An idle connection has nothing to read; a server that restarted or dropped it left EOF (or an
    error notice) on the socket, and only then is the real check's round trip paid. Django's own
    (CONN_HEALTH_CHECKS) pays it on every checkout, and a node checks out for its claim and finish.
    """
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the pooled connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Any:
        pool = super().pool  # type: ignore[misc]  # django-stubs lack the 5.1 pool property
        # Django passes its own `check` (None without CONN_HEALTH_CHECKS) and no way to choose one.
        if pool is not None and pool._check is not check_connection:
            pool._check = check_connection
        return pool
