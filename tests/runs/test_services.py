"""Run services: either store stores the same rows, in a transaction or not; cancel durations survive skewed clocks."""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.runs import services
from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_cancel, run_start
from backend.runs.step_services import step_claim
from backend.runs.store import set_store
from backend.runs.store.portable import PortableStore
from tests.support.graphs import http_node, start_node
from tests.support.inline import InlineDispatcher


def test_run_cancel_a_step_claimed_by_a_clock_ahead_of_ours_gets_duration_zero(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    graph = {"nodes": [start_node(), http_node("a", "http://127.0.0.1:9/")], "edges": []}
    run, _ = run_start(owner=user, graph=graph)
    claim = step_claim(step_id=Step.objects.get(run=run, node_id="a").pk)
    assert claim is not None
    # The worker's clock (or a claim that won while cancel waited for its lock) is ahead of ours.
    Step.objects.filter(pk=claim.step.pk).update(started_at=timezone.now() + timedelta(seconds=5))

    assert run_cancel(run=run) is True
    step = Step.objects.get(pk=claim.step.pk)
    assert (step.status, step.duration_ms) == ("cancelled", 0)
    assert Run.objects.get(pk=run.pk).status == "cancelled"


def _stored(run: Run) -> tuple[Any, ...]:
    """What a run start stored, without ids and clocks (which differ between two runs)."""
    row = Run.objects.filter(pk=run.pk).values(
        "status", "trigger", "graph", "plan", "variables", "payload", "idempotency_key", "request_hash",
        "event_seq", "steps_remaining", "error", "started_at", "finished_at",
    ).get()  # fmt: skip
    row["started"], row["finished"] = row.pop("started_at") is not None, row.pop("finished_at") is not None
    steps = list(
        Step.objects.filter(run=run).values_list(
            "node_id", "kind", "label", "position", "status", "attempt", "config", "dependencies", "successors",
            "pending_deps", "duration_ms", "output", "error", "heartbeat_at",
        )
    )  # fmt: skip
    clocks = Step.objects.filter(run=run, queued_at__isnull=True).count()
    events = list(RunEvent.objects.filter(run=run).values_list("seq", "type", "level", "node_id", "message", "data"))
    return row, steps, clocks, events


def _fanout() -> dict[str, Any]:
    nodes = [start_node(), http_node("a", "http://127.0.0.1:9/a"), http_node("b", "http://127.0.0.1:9/b")]
    nodes.append(http_node("join", "http://127.0.0.1:9/join"))
    edges = [{"source": "start", "target": t} for t in ("a", "b")] + [
        {"source": s, "target": "join"} for s in ("a", "b")
    ]
    return {"nodes": nodes, "edges": edges}


def test_run_start_postgresql_store_stores_what_the_portable_store_stores(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    graph = _fanout()
    with CaptureQueriesContext(connection) as captured:
        fast, created = run_start(owner=user, graph=graph, payload={"n": 1}, idempotency_key="k-fast")
    assert created and len(captured.captured_queries) == 2  # the key lookup, then one INSERT … CTE
    fast_ready = list(inline_dispatcher.queue)
    inline_dispatcher.queue.clear()
    previous = set_store(PortableStore())
    try:
        slow, _ = run_start(owner=user, graph=graph, payload={"n": 1}, idempotency_key="k-slow")
    finally:
        set_store(previous)

    fast_row, *fast_rest = _stored(fast)
    slow_row, *slow_rest = _stored(slow)
    assert fast_row.pop("idempotency_key") == "k-fast" and slow_row.pop("idempotency_key") == "k-slow"
    assert (fast_row, fast_rest) == (slow_row, slow_rest)
    assert fast_row["status"] == "queued" and fast_row["steps_remaining"] == 3
    ready = Step.objects.filter(run=fast, node_id__in=["a", "b"]).order_by("position").values_list("pk", flat=True)
    assert fast_ready == list(ready)  # exactly the steps with no pending dependency, by id
    assert fast.status == "queued" and Run.objects.get(pk=fast.pk).created_at == fast.created_at


def test_run_start_single_statement_path_same_key_returns_the_first_run(
    user: Any, inline_dispatcher: InlineDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = _fanout()
    first, created = run_start(owner=user, graph=graph, idempotency_key="same")
    # A racing request whose key lookup ran before the first run committed: it misses the run there,
    # so its INSERT hits the unique constraint, and it answers with the winner's run.
    lookup = services._existing_for_key
    calls: list[int] = []

    def racing_lookup(**kwargs: Any) -> Run | None:
        calls.append(1)
        return None if len(calls) == 1 else lookup(**kwargs)

    monkeypatch.setattr(services, "_existing_for_key", racing_lookup)
    again, again_created = run_start(owner=user, graph=graph, idempotency_key="same")
    assert created and not again_created and again.pk == first.pk and len(calls) == 2
    assert Run.objects.filter(owner=user).count() == 1
    assert Step.objects.filter(run=first).count() == 4


def test_run_start_inside_a_transaction_is_one_statement_and_enqueues_after_commit(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            run, created = run_start(owner=user, graph=_fanout())
        assert created and inline_dispatcher.queue == deque()  # nothing sent before the commit
    # A savepoint confines a failing insert (a reused key) to itself; the insert is one statement.
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SAVEPOINT", "WITH", "RELEASE"]
    ready = Step.objects.filter(run=run, node_id__in=["a", "b"]).order_by("position").values_list("pk", flat=True)
    assert list(inline_dispatcher.queue) == list(ready)


def test_run_start_inside_a_transaction_same_key_returns_the_first_run(
    user: Any, inline_dispatcher: InlineDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = run_start(owner=user, graph=_fanout(), idempotency_key="same")
    lookup = services._existing_for_key
    calls: list[int] = []

    def racing_lookup(**kwargs: Any) -> Run | None:
        calls.append(1)
        return None if len(calls) == 1 else lookup(**kwargs)

    monkeypatch.setattr(services, "_existing_for_key", racing_lookup)
    with transaction.atomic():
        again, created = run_start(owner=user, graph=_fanout(), idempotency_key="same")
        assert Run.objects.filter(owner=user).count() == 1  # the caller's transaction is still usable
    assert not created and again.pk == first.pk
