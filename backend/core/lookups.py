"""`field__guard=value`: an equality that only the row's primary key can serve, for guarded updates."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Lookup

# Written into the engine's raw guarded statements too (backend/runs/fastpath.py, step_services.py).
GUARD_SQL = "({column} || '')"


class Guard(Lookup):  # type: ignore[type-arg]
    """`status__guard="running"`: the column compared as an expression no index covers.

    A guarded update (`pk=…, status=…`) must reach its row through the primary key. With most rows
    finished, the statistics make the active statuses look rare, and the planner otherwise chose an
    index on status, walking every queued or running row of the table and filtering by id. The
    database re-checks the expression after a row-lock wait like the column itself.
    """

    lookup_name = "guard"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{GUARD_SQL.format(column=lhs)} = {rhs}", [*lhs_params, *rhs_params]


def register() -> None:
    models.CharField.register_lookup(Guard)
