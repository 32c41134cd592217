"""Model instances from raw SQL rows (all concrete columns, in field order), as the ORM would build them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)


def columns(model: type[models.Model], alias: str = "") -> str:
    """The model's concrete columns, comma-separated, optionally qualified with a table alias."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{field.column}" for field in model._meta.concrete_fields)


def from_row(model: type[M], values: Sequence[Any]) -> M:
    """`values` (one per concrete field, in order) through each field's converters into an instance."""
    conn = connections[DEFAULT_DB_ALIAS]  # the thread's own wrapper, looked up once, not per field
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        col = field.get_col(model._meta.db_table)
        # The backend's converters (SQLite's datetimes, say) first, then the field's, as the ORM does.
        for convert in [*conn.ops.get_db_converters(col), *col.get_db_converters(conn)]:
            value = convert(value, col, conn)
        converted.append(value)
    return model.from_db(conn.alias, [f.attname for f in fields], converted)
