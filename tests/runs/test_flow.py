"""The engine's flow through the in-process dispatcher: order, joins, failures, skips, fencing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_cancel, run_start
from backend.runs.step_services import step_claim
from tests.support.graphs import chain, edge, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        server.route("ANY", "/ok", json={"ok": True})
        server.route("ANY", "/fail", status=503, body="down for maintenance")
        yield server


def _statuses(run: Run) -> dict[str, str]:
    return dict(Step.objects.filter(run=run).values_list("node_id", "status"))


def _diamond(url: str, *, fail_b: bool = False) -> dict[str, Any]:
    return {
        "nodes": [
            start_node(),
            http_node("a", f"{url}/ok"),
            http_node("b", f"{url}/fail" if fail_b else f"{url}/ok", retries=0),
            http_node("c", f"{url}/ok"),
            http_node("d", f"{url}/ok"),
        ],
        "edges": [edge("start", "a"), edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("c", "d")],
    }


def test_flow_diamond_runs_join_once_after_both_branches(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    run, _ = run_start(owner=user, graph=_diamond(stub.url))
    assert inline_dispatcher.drain() == 4
    run.refresh_from_db()
    assert run.status == "succeeded" and run.steps_remaining == 0 and run.finished_at
    assert _statuses(run) == dict.fromkeys(["start", "a", "b", "c", "d"], "succeeded")
    order = list(inline_dispatcher.sent)
    assert len(order) == len(set(order)) == 4  # the join was enqueued exactly once
    types = list(RunEvent.objects.filter(run=run).values_list("type", flat=True))
    assert types[0] == "run_queued" and types[-1] == "run_succeeded"


def test_flow_failure_skips_dependants_and_fails_run(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    run, _ = run_start(owner=user, graph=_diamond(stub.url, fail_b=True))
    inline_dispatcher.drain()
    run.refresh_from_db()
    assert run.status == "failed"
    assert _statuses(run) == {"start": "succeeded", "a": "succeeded", "b": "failed", "c": "succeeded", "d": "skipped"}
    b = Step.objects.get(run=run, node_id="b")
    assert "503" in b.error and "down for maintenance" in b.error
    assert [p for p in (r.path for r in stub.requests)].count("/fail") == 1


def test_flow_start_only_run_succeeds_without_a_task(user: Any, inline_dispatcher: InlineDispatcher) -> None:
    run, _ = run_start(owner=user, graph={"nodes": [start_node()], "edges": []})
    assert inline_dispatcher.sent == []
    assert Run.objects.get(pk=run.pk).status == "succeeded"


def test_flow_duplicate_delivery_is_claimed_once(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    graph = {"nodes": [start_node(), http_node("a", f"{stub.url}/ok")], "edges": chain("start", "a")}
    run_start(owner=user, graph=graph)
    step_id = inline_dispatcher.queue[0]
    inline_dispatcher.enqueue([step_id, step_id])
    assert inline_dispatcher.drain() == 3
    assert len(stub.requests) == 1
    assert Step.objects.get(pk=step_id).attempt == 1


def test_flow_cancelled_run_starts_nothing_more(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    graph = {"nodes": [start_node(), http_node("a", f"{stub.url}/ok"), http_node("b", f"{stub.url}/ok")],
             "edges": chain("start", "a", "b")}  # fmt: skip
    run, _ = run_start(owner=user, graph=graph)
    assert run_cancel(run=run) is True
    assert run_cancel(run=run) is False
    inline_dispatcher.drain()
    assert stub.requests == []
    assert _statuses(run) == {"start": "succeeded", "a": "cancelled", "b": "cancelled"}
    assert step_claim(step_id=Step.objects.get(run=run, node_id="a").pk) is None


def test_flow_steps_output_feeds_templates_of_later_nodes(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    stub.route("ANY", "/id", json={"item": {"id": 42}})
    ref = {"ref": "{{steps.first.output.body.item.id}}"}
    graph = {
        "nodes": [start_node(), http_node("first", f"{stub.url}/id"),
                  http_node("second", f"{stub.url}/ok", method="POST", json_body=ref)],
        "edges": chain("start", "first", "second"),
    }  # fmt: skip
    run, _ = run_start(owner=user, graph=graph)
    inline_dispatcher.drain()
    assert Run.objects.get(pk=run.pk).status == "succeeded"
    assert stub.requests_to("/ok")[0].json() == {"ref": 42}


def test_flow_template_values_arrive_as_one_query_value_and_one_path_segment(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    stub.route("ANY", "/files/..%2Fadmin", json={"ok": True})
    graph = {
        "nodes": [
            start_node(),
            http_node("search", f"{stub.url}/ok?q={{{{payload.q}}}}&page=2"),
            http_node("file", f"{stub.url}/files/{{{{payload.name}}}}"),
        ],
        "edges": [*chain("start", "search"), *chain("start", "file")],
    }
    run, _ = run_start(owner=user, graph=graph, payload={"q": "shoes&q=1", "name": "../admin"})
    inline_dispatcher.drain()
    assert Run.objects.get(pk=run.pk).status == "succeeded"
    (seen,) = stub.requests_to("/ok")
    assert seen.query == {"q": ["shoes&q=1"], "page": ["2"]}
    assert len(stub.requests_to("/files/..%2Fadmin")) == 1 and stub.requests_to("/admin") == []
