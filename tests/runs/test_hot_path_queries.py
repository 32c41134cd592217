"""The engine's per-node database work is bounded (constant statements) and uses indexes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.runs import fastpath
from backend.runs.services import run_start
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        server.route("ANY", "/ok", json={"ok": True})
        yield server


def _chain(url: str, length: int) -> dict[str, Any]:
    ids = ["start", *(f"n{i}" for i in range(length))]
    nodes = [{"id": "start", "type": "start", "config": {}}]
    nodes += [{"id": i, "type": "http", "config": {"url": f"{url}/ok"}} for i in ids[1:]]
    return {"nodes": nodes, "edges": [{"source": a, "target": b} for a, b in itertools.pairwise(ids)]}


def _statements_for_first_node(user: Any, dispatcher: InlineDispatcher, url: str, length: int) -> int:
    from workers.engine import execute_step

    run_start(owner=user, graph=_chain(url, length))
    step_id = dispatcher.queue.popleft()
    with CaptureQueriesContext(connection) as captured:
        execute_step(step_id)
    dispatcher.queue.clear()
    return len(captured.captured_queries)


def test_hot_path_statement_count_does_not_grow_with_the_graph(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    small = _statements_for_first_node(user, inline_dispatcher, stub.url, 3)
    large = _statements_for_first_node(user, inline_dispatcher, stub.url, 300)
    assert small == large == 2  # one claim statement, one finish statement


@pytest.mark.django_db
def test_hot_path_statements_can_use_indexes() -> None:
    """With sequential scans priced out, each hot statement plans on an index (so one exists)."""
    statements = [
        (fastpath.CLAIM_SQL, {"now": "2026-01-01T00:00:00Z", "step_id": 1}),
        (
            fastpath.FINISH_SQL,
            {"output": "{}", "now": "2026-01-01T00:00:00Z", "duration": 1, "step_id": 1, "attempt": 1,
             "successors": ["a", "b"], "count": 1, "events": "[]"},
        ),
        (fastpath.CLOSE_SQL, {"run_id": "00000000-0000-0000-0000-000000000000", "now": "2026-01-01T00:00:00Z"}),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, params in statements:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan, plan
            assert "Index" in plan, plan


@pytest.mark.django_db
def test_hot_tables_keep_no_index_that_another_index_leads_with() -> None:
    """Each write maintains every index: a plain index whose columns begin another index is dead weight."""
    from backend.runs.models import Run, RunEvent, Step

    for model in (Run, Step, RunEvent):
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        indexes = {name: c["columns"] for name, c in found.items() if c["index"] and c["columns"]}
        plain = {name: cols for name, cols in indexes.items() if not found[name]["unique"]}
        for name, cols in plain.items():
            covering = [other for other, more in indexes.items() if other != name and more[: len(cols)] == cols]
            assert not covering, f"{model._meta.db_table}.{name} {cols} is led by {covering}"
