"""Branch, switch and transform in a run: the output taken runs, the other side is skipped, a payload
value that looks like syntax stays a value."""

from __future__ import annotations

from typing import Any

import pytest

from backend.runs.models import Run, Step
from backend.runs.services import run_start
from tests.support.graphs import edge, start_node
from tests.support.inline import InlineDispatcher

# Each flow runs on both run stores (PostgreSQL statements, and the portable ORM one).
pytestmark = pytest.mark.usefixtures("store")


def _node(node_id: str, kind: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "config": config}


def _steps(run: Run) -> dict[str, Any]:
    run.refresh_from_db()
    return {step.node_id: step for step in Step.objects.filter(run=run)}


def _branch_graph() -> dict[str, Any]:
    nodes = [
        start_node(),
        _node("check", "branch", condition='{{payload.amount}} > 100 and {{payload.name}} != "blocked"'),
        _node("big", "transform", keep="none", set=[{"name": "size", "value": "big"}]),
        _node("small", "transform", keep=["amount"]),
    ]
    edges = [
        edge("start", "check"),
        {**edge("check", "big"), "sourceHandle": "true"},
        {**edge("check", "small"), "sourceHandle": "false"},
    ]
    return {"nodes": nodes, "edges": edges}


@pytest.mark.parametrize(
    ("payload", "ran", "skipped"),
    [
        ({"amount": 250, "name": "ada"}, "big", "small"),
        ({"amount": 50, "name": "ada"}, "small", "big"),
        ({"amount": 250, "name": 'blocked" or "1" == "1'}, "big", "small"),  # a value, not syntax
    ],
)
def test_branch_flow_runs_the_side_taken(
    user: Any, inline_dispatcher: InlineDispatcher, payload: dict[str, Any], ran: str, skipped: str
) -> None:
    run, _ = run_start(owner=user, graph=_branch_graph(), payload=payload)
    inline_dispatcher.drain()
    steps = _steps(run)
    assert run.status == "succeeded"
    assert steps["check"].output == {"result": ran == "big"}
    assert steps[ran].status == "succeeded" and steps[skipped].status == "skipped"


def test_switch_flow_takes_default_and_a_condition_failure_fails_the_run(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    cases = [{"name": "vip", "condition": '{{payload.tags}} contains "vip"'}]
    nodes = [start_node(), _node("route", "switch", cases=cases), _node("vip", "transform"), _node("rest", "transform")]
    edges = [
        edge("start", "route"),
        {**edge("route", "vip"), "sourceHandle": "vip"},
        {**edge("route", "rest"), "sourceHandle": "default"},
    ]
    run, _ = run_start(owner=user, graph={"nodes": nodes, "edges": edges}, payload={"tags": ["new"]})
    inline_dispatcher.drain()
    steps = _steps(run)
    assert steps["route"].output == {"matched": []}
    assert (steps["vip"].status, steps["rest"].status) == ("skipped", "succeeded")
    assert steps["rest"].output == {"tags": ["new"]}

    check = _node("check", "branch", condition={"left": "{{payload.amount}}", "op": "gt", "right": 1})
    graph = {"nodes": [start_node(), check], "edges": [edge("start", "check")]}
    run, _ = run_start(owner=user, graph=graph, payload={"amount": "abc"})
    inline_dispatcher.drain()
    step = _steps(run)["check"]
    assert run.status == "failed" and step.status == "failed"
    assert step.error == 'node "check": condition: "abc" is not a number'
