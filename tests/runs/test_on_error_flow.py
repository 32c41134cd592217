"""A node's on_error setting: stop fails the run, continue runs the next nodes, error_output takes the error branch."""

from __future__ import annotations

from typing import Any

import pytest

from backend.runs.models import Run, Step
from backend.runs.services import run_start
from tests.support.graphs import http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer

# Each flow runs on both run stores (PostgreSQL statements, and the portable ORM one).
pytestmark = pytest.mark.usefixtures("store")


def _graph(url: str, on_error: str, *, error_edge: bool = False) -> dict[str, Any]:
    call = http_node("call", f"{url}/call", retries=0, on_error=on_error)
    then = http_node("then", f"{url}/then", method="POST", body='{"why": "{{steps.call.error}}"}')
    nodes = [start_node(), call, then]
    edges = [{"source": "start", "target": "call"}, {"source": "call", "target": "then"}]
    if error_edge:
        nodes.append(http_node("handler", f"{url}/handler", method="POST", body='{"why": "{{steps.call.error}}"}'))
        edges.append({"source": "call", "target": "handler", "sourceHandle": "error"})
    return {"nodes": nodes, "edges": edges}


def _statuses(run: Run) -> dict[str, str]:
    run.refresh_from_db()
    return {"run": run.status, **dict(Step.objects.filter(run=run).values_list("node_id", "status"))}


@pytest.fixture
def failing(stub_server: StubServer) -> StubServer:
    for path in ("/then", "/handler"):
        stub_server.route("POST", path, json={"ok": True})
    return stub_server.route("GET", "/call", status=500, body="upstream broke")


def test_on_error_stop_fails_the_run(user: Any, inline_dispatcher: InlineDispatcher, failing: StubServer) -> None:
    run, _ = run_start(owner=user, graph=_graph(failing.url, "stop"))
    inline_dispatcher.drain()
    assert _statuses(run) == {"run": "failed", "start": "succeeded", "call": "failed", "then": "skipped"}


def test_on_error_continue_runs_the_next_node_with_the_error(
    user: Any, inline_dispatcher: InlineDispatcher, failing: StubServer
) -> None:
    run, _ = run_start(owner=user, graph=_graph(failing.url, "continue"))
    inline_dispatcher.drain()
    assert _statuses(run) == {"run": "succeeded", "start": "succeeded", "call": "failed", "then": "succeeded"}
    [sent] = failing.requests_to("/then")
    assert "HTTP 500" in sent.json()["why"]
    assert Step.objects.get(run=run, node_id="call").error.startswith("HTTP 500")


def test_on_error_error_output_takes_only_the_error_branch(
    user: Any, inline_dispatcher: InlineDispatcher, failing: StubServer
) -> None:
    run, _ = run_start(owner=user, graph=_graph(failing.url, "error_output", error_edge=True))
    inline_dispatcher.drain()
    assert _statuses(run) == {
        "run": "succeeded", "start": "succeeded", "call": "failed", "then": "skipped", "handler": "succeeded",
    }  # fmt: skip
    assert "HTTP 500" in failing.requests_to("/handler")[0].json()["why"] and failing.requests_to("/then") == []


def test_on_error_error_output_on_success_skips_the_error_branch(
    user: Any, inline_dispatcher: InlineDispatcher, stub_server: StubServer
) -> None:
    stub_server.route("GET", "/call", json={"fine": True}).route("POST", "/then", json={"ok": True})
    graph = _graph(stub_server.url, "error_output", error_edge=True)
    graph["nodes"][2]["config"]["body"] = "{}"
    run, _ = run_start(owner=user, graph=graph)
    inline_dispatcher.drain()
    assert _statuses(run) == {
        "run": "succeeded", "start": "succeeded", "call": "succeeded", "then": "succeeded", "handler": "skipped",
    }  # fmt: skip
