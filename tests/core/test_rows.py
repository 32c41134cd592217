"""Raw rows into model instances: the same values an ORM read gives, JSON and datetimes included."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from backend.core.rows import columns, from_row
from backend.runs.models import Step
from backend.runs.services import run_start
from tests.support.graphs import http_node, start_node


@pytest.mark.django_db
def test_rows_from_row_matches_an_orm_read(user: Any, discard_dispatch: None) -> None:
    graph = {"nodes": [start_node(), http_node("a", "http://127.0.0.1:9/")], "edges": []}
    run, _ = run_start(owner=user, graph=graph)
    orm = Step.objects.get(run=run, node_id="start")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns(Step, 's')} FROM {Step._meta.db_table} s WHERE s.id = %s", [orm.pk])
        raw = from_row(Step, cursor.fetchone())
    fields = [f.attname for f in Step._meta.concrete_fields]
    assert {f: getattr(raw, f) for f in fields} == {f: getattr(orm, f) for f in fields}
    assert isinstance(raw.output, dict) and raw.finished_at is not None and raw.finished_at.tzinfo is not None
    assert not raw._state.adding and raw._state.db == "default"
