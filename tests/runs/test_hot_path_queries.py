"""The engine's per-node database work is bounded (constant statements) and uses indexes."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.runs.services import run_start
from backend.runs.store import queries
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
        (queries.CLAIM.sql, {"now": "2026-01-01T00:00:00Z", "step_id": 1}),
        (
            queries.FINISH_SUCCEEDED.sql,
            {"output": "{}", "now": "2026-01-01T00:00:00Z", "duration": 1, "step_id": 1, "attempt": 1,
             "successors": ["a", "b"], "count": 1, "events": "[]"},
        ),
        (queries.CLOSE.sql, {"run_id": "00000000-0000-0000-0000-000000000000", "now": "2026-01-01T00:00:00Z"}),
        (
            queries.FINISH_STEP.sql,
            {"status": "failed", "output": None, "error": "boom", "now": "2026-01-01T00:00:00Z", "duration": 1,
             "step_id": 1, "attempt": 1},
        ),
        (
            queries.SKIP_QUEUED.sql,
            {"run_id": "00000000-0000-0000-0000-000000000000", "nodes": ["a", "b"], "now": "2026-01-01T00:00:00Z"},
        ),
        (
            queries.MOVE_COUNTERS.sql,
            {"run_id": "00000000-0000-0000-0000-000000000000", "count": 1, "done": 1, "failed": 1,
             "now": "2026-01-01T00:00:00Z", "events": "[]"},
        ),
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


# The hot statements run prepared (backend/core/prepared.py): after five executions PostgreSQL may
# switch a connection to one generic plan, made without the parameter values. Both kinds must reach
# each row by its key, also where the statistics make 'queued' and 'running' look rare (most steps
# finished) and runs look small (a step or two), as on a real database.
_PARAM_TYPES = {
    "now": "timestamptz", "step_id": "bigint", "attempt": "integer", "duration": "integer", "count": "integer",
    "output": "text", "events": "text", "successors": "text[]", "run_id": "uuid",
}  # fmt: skip
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _plan(cursor: Any, sql: str, values: dict[str, Any], mode: str) -> str:
    names = list(dict.fromkeys(_PLACEHOLDER.findall(sql)))
    numbered = _PLACEHOLDER.sub(lambda m: f"${names.index(m.group(1)) + 1}", sql)
    cursor.execute(f"SET LOCAL plan_cache_mode = {mode}")
    cursor.execute(f"PREPARE hot_probe ({', '.join(_PARAM_TYPES[n] for n in names)}) AS {numbered}")
    try:
        cursor.execute(f"EXPLAIN EXECUTE hot_probe ({', '.join(['%s'] * len(names))})", [values[n] for n in names])
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        cursor.execute("DEALLOCATE hot_probe")


def _wide_finished_run(user: Any, url: str) -> tuple[Any, int]:
    """A 300-step run among many finished two-step runs, analysed: statistics like a busy database's."""
    from backend.runs.models import Step

    for _ in range(30):
        run_start(owner=user, graph=_chain(url, 1))
    run, _ = run_start(owner=user, graph=_chain(url, 299))
    Step.objects.update(status="succeeded")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE runs_step")
        cursor.execute("ANALYZE runs_run")
    return run, Step.objects.get(run=run, node_id="n5").pk


@pytest.mark.parametrize("mode", ["force_custom_plan", "force_generic_plan"])
def test_hot_path_plans_reach_rows_by_key_under_skewed_statistics(user: Any, discard_dispatch: None, mode: str) -> None:
    run, step_id = _wide_finished_run(user, "http://127.0.0.1:9")
    now = "2026-01-01T00:00:00Z"
    finish = {"output": "{}", "now": now, "duration": 1, "step_id": step_id, "attempt": 1,
              "successors": ["n6", "n7"], "count": 1, "events": "[]"}  # fmt: skip
    with connection.cursor() as cursor:
        claim_plan = _plan(cursor, queries.CLAIM.sql, {"now": now, "step_id": step_id}, mode)
        finish_plan = _plan(cursor, queries.FINISH_SUCCEEDED.sql, finish, mode)
        close_plan = _plan(cursor, queries.CLOSE.sql, {"run_id": str(run.pk), "now": now}, mode)
    for plan in (claim_plan, finish_plan):
        assert "Index Scan using runs_step_pkey" in plan, plan
        assert "step_status_heartbeat" not in plan, plan
    successor_lookup = [line for line in finish_plan.splitlines() if "Index Cond: ((run_id = " in line]
    assert successor_lookup and all("node_id" in line for line in successor_lookup), finish_plan
    assert "run_active_created" not in close_plan, close_plan  # 31 runs: a sequential scan is fair here


def test_failure_path_updates_reach_rows_by_key_under_skewed_statistics(user: Any, discard_dispatch: None) -> None:
    """A failing step is a transaction of statements (with the skips): its guarded updates too."""
    from django.utils import timezone

    from backend.runs.models import Run, Step
    from backend.runs.step_services import Claim, Outcome, descendants_of, step_finish

    run, step_id = _wide_finished_run(user, "http://127.0.0.1:9")
    Run.objects.filter(pk=run.pk).update(status="running")
    Step.objects.filter(pk=step_id).update(status="running", attempt=1, started_at=timezone.now())
    Step.objects.filter(run=run, node_id__in=["n6", "n7"]).update(status="queued")
    step = Step.objects.get(pk=step_id)
    claim = Claim(step=step, run=Run.objects.get(pk=run.pk), attempt=1)
    with CaptureQueriesContext(connection) as captured:
        descendants = descendants_of(run_id=run.pk, successors=step.successors)
        step_finish(
            claim=claim, outcome=Outcome(status="failed", error="boom"), descendants=descendants,
            successors=step.successors,
        )  # fmt: skip
    writes = ("UPDATE", "WITH")  # the run's counters move in a statement that also stores the events
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(writes)]
    assert len(updates) >= 3, updates  # the step, its skipped descendants, the run's counters
    with connection.cursor() as cursor:
        for sql in updates:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "step_status_heartbeat" not in plan and "run_active_created" not in plan, f"{sql}\n{plan}"
    assert Step.objects.get(pk=step_id).status == "failed"
