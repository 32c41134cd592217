"""`field__guard=` and `field__guard_in=`: equalities only the row's primary key can serve, for guarded updates."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.lookups import Exact, In


def guarded(sql: str) -> str:
    """The expression a guard compares instead of the column `sql` (see _Guarded); the PostgreSQL run
    store's statements compare the same one (backend/runs/store/queries.py)."""
    return f"({sql} || '')"


class _Guarded:
    """The column compared as an expression no index covers.

    A guarded update (`pk=…, status=…`) must reach its row through the primary key. With most rows
    finished, the statistics make the active statuses look rare, and the planner otherwise chose an
    index on status, walking every queued or running row of the table and filtering by id. The
    database re-checks the expression after a row-lock wait like the column itself.
    """

    def process_lhs(self, compiler: Any, connection: Any, lhs: Any = None) -> tuple[str, list[Any]]:
        sql, params = super().process_lhs(compiler, connection, lhs)  # type: ignore[misc]
        return guarded(sql), list(params)


class Guard(_Guarded, Exact):
    lookup_name = "guard"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return str(connection.operators["exact"] % rhs)  # the backend's operators are keyed by name


class GuardIn(_Guarded, In):
    lookup_name = "guard_in"


def register() -> None:
    models.CharField.register_lookup(Guard)
    models.CharField.register_lookup(GuardIn)
