"""A Merge in a run: it reads every input's output, first finished first, and runs once."""

from __future__ import annotations

from typing import Any

import pytest

from backend.runs.models import Step
from backend.runs.services import run_start
from tests.support.graphs import edge, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer

# Each flow runs on both run stores (PostgreSQL statements, and the portable ORM one).
pytestmark = pytest.mark.usefixtures("store")


def test_merge_flow_outputs_each_input_under_its_node_id(
    user: Any, inline_dispatcher: InlineDispatcher, stub_server: StubServer
) -> None:
    stub_server.route("GET", "/a", json={"from": "a"}).route("GET", "/b", json={"from": "b"})
    merge = {"id": "m", "type": "merge", "config": {}}
    nodes = [start_node(), http_node("a", f"{stub_server.url}/a"), http_node("b", f"{stub_server.url}/b"), merge]
    edges = [edge("start", "a"), edge("start", "b"), edge("a", "m"), edge("b", "m")]
    run, _ = run_start(owner=user, graph={"nodes": nodes, "edges": edges})
    inline_dispatcher.drain()
    step = Step.objects.get(run=run, node_id="m")
    assert step.status == "succeeded" and step.attempt == 1
    inputs = step.output["inputs"]
    assert list(inputs) == ["a", "b"] and inputs["a"]["body"] == {"from": "a"} and inputs["b"]["body"] == {"from": "b"}
