"""Branch, switch and transform nodes in the compiler: configs stored as written, refusals name node and
field, references inside conditions checked; a compiled node runs through prepare_node and its executor."""

from __future__ import annotations

from typing import Any

import pytest

from backend.workflows.graph import GraphError, compile_graph
from tests.support.graphs import builder_file, chain, edge, start_node
from workers.context import prepare_node
from workers.executors.base import EngineLimits
from workers.executors.registry import executor_for

TEXT = '{{payload.amount}} > 100 and ({{payload.tag}} contains "vip" or not {{payload.flag}} exists)'
GROUP = {"match": "any", "rules": [{"left": "{{payload.amount}}", "op": "gt", "right": 100, "type": "number"}]}


def _node(node_id: str, kind: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "label": node_id, "config": config}


def _errors(raw: Any) -> list[dict[str, str]]:
    with pytest.raises(GraphError) as caught:
        compile_graph(raw)
    assert caught.value.status == 400 and caught.value.code == "invalid_graph"
    return caught.value.details["errors"]


def _graph(*nodes: dict[str, Any]) -> dict[str, Any]:
    """start → each node in turn; an edge leaving a branch takes "true", one leaving a switch its first case."""
    edges = chain("start", *(n["id"] for n in nodes))
    for link, source in zip(edges[1:], nodes, strict=False):
        if source["type"] == "branch":
            link["sourceHandle"] = "true"
        elif source["type"] == "switch":
            link["sourceHandle"] = source["config"]["cases"][0]["name"]
    return {"nodes": [start_node(), *nodes], "edges": edges}


CASES = [{"name": "big", "condition": GROUP}, {"name": "vip", "condition": '{{payload.tag}} == "vip"'}]
SHAPE = {
    "source": "{{steps.check.output}}",
    "keep": ["result"],
    "rename": [{"from": "result", "to": "was.big"}],
    "set": [{"name": "amount", "value": "{{payload.amount}}"}],
}


def test_a_graph_with_each_kind_compiles_and_keeps_configs_as_written() -> None:
    graph = _graph(
        _node("check", "branch", condition=TEXT),
        _node("route", "switch", cases=CASES, mode="all"),
        _node("shape", "transform", **SHAPE),
    )
    plan = compile_graph(graph)
    assert [n["kind"] for n in plan["nodes"]] == ["start", "branch", "switch", "transform"]
    configs = {n["id"]: n["config"] for n in plan["nodes"]}
    assert configs["check"] == {"condition": TEXT}
    assert configs["route"] == {"cases": CASES, "mode": "all"}
    assert configs["shape"] == SHAPE
    assert compile_graph(builder_file(graph["nodes"], graph["edges"])) == plan


def test_edges_may_name_the_output_they_leave_by() -> None:
    graph = _graph(_node("check", "branch", condition=GROUP), _node("shape", "transform"))
    graph["nodes"].append(_node("other", "transform"))
    graph["edges"] = [
        edge("start", "check"),
        {**edge("check", "shape"), "sourceHandle": "true"},
        {**edge("check", "other"), "sourceHandle": "false"},
    ]
    check = compile_graph(graph)["nodes"][1]
    assert check["ports"] == {"true": ["shape"], "false": ["other"]}


@pytest.mark.parametrize(
    ("node", "path", "code", "message"),
    [
        (
            _node(
                "check", "branch", condition={"match": "all", "rules": [GROUP["rules"][0], {"left": 1, "op": "gt="}]}
            ),
            "nodes[1].config.condition",
            "invalid_condition",
            'node "check" config.condition: rules[1].op: unknown operator "gt="',
        ),
        (
            _node("check", "branch", condition="{{payload.amount}} = 100"),
            "nodes[1].config.condition",
            "invalid_condition",
            'node "check" config.condition: at character 20: unexpected "="; write == to compare',
        ),
        (
            _node("check", "branch", condition="{{getCredential('k')}} == 1"),
            "nodes[1].config.condition",
            "invalid_condition",
            "credentials cannot be used in conditions",
        ),
        (_node("check", "branch"), "nodes[1].config.condition", "missing", 'node "check" config.condition: Field'),
        (
            _node("route", "switch", cases=[{"name": "a", "condition": TEXT}, {"name": "a", "condition": TEXT}]),
            "nodes[1].config.cases",
            "duplicate_case",
            'node "route" config.cases: two cases are named "a"',
        ),
        (
            _node("route", "switch", cases=[{"name": "default", "condition": TEXT}]),
            "nodes[1].config.cases[0].name",
            "invalid_case_name",
            'node "route" config.cases[0].name: "default" is the output taken when no case matches',
        ),
        (
            _node("route", "switch", cases=[{"name": "a", "condition": "{{payload.x}} >"}]),
            "nodes[1].config.cases[0].condition",
            "invalid_condition",
            'node "route" config.cases[0].condition: at character 16: expected a value after >',
        ),
        (
            _node("shape", "transform", set=[{"name": "a..b", "value": 1}]),
            "nodes[1].config.set[0].name",
            "invalid_path",
            'node "shape" config.set[0].name: a path is names joined by dots',
        ),
        (
            _node("shape", "transform", source="{{payload.a}} and more"),
            "nodes[1].config.source",
            "not_an_object",
            'node "shape" config.source: the source is an object or one {{placeholder}}',
        ),
    ],
)
def test_bad_configs_name_node_and_field(node: dict[str, Any], path: str, code: str, message: str) -> None:
    (error,) = _errors(_graph(node))
    assert (error["path"], error["code"]) == (path, code)
    assert message in error["message"]


@pytest.mark.parametrize(
    ("node", "path", "code"),
    [
        (
            _node("check", "branch", condition="{{steps.later.output.x}} == 1"),
            "nodes[1].config.condition",
            "not_upstream",
        ),
        (
            _node("check", "branch", condition={"left": "{{steps.ghost.output}}", "op": "exists"}),
            "nodes[1].config.condition.left",
            "unknown_step",
        ),
        (
            _node(
                "check",
                "switch",
                cases=[
                    {"name": "a", "condition": {"rules": [GROUP["rules"][0]]}},
                    {"name": "b", "condition": "{{steps.check.output}} exists"},
                ],
            ),
            "nodes[1].config.cases[1].condition",
            "self_reference",
        ),
        (
            _node("check", "branch", condition="{{steps.later.body}} exists"),
            "nodes[1].config.condition",
            "invalid_template",
        ),
    ],
)
def test_references_inside_conditions_are_checked(node: dict[str, Any], path: str, code: str) -> None:
    graph = _graph(node, _node("later", "transform"))
    errors = _errors(graph)
    assert [(e["path"], e["code"]) for e in errors] == [(path, code)]


def _prepare_and_run(
    owner: Any, plan: dict[str, Any], node_id: str, payload: dict[str, Any], upstream: Any = None
) -> Any:
    node = next(n for n in plan["nodes"] if n["id"] == node_id)
    prepared = prepare_node(
        run_id="run-1",
        owner_id=owner.pk,
        node=node,
        payload=payload,
        variables={},
        upstream=upstream or {},
        limits=EngineLimits(),
        idempotency_key="k",
        log=lambda level, message, data: None,
        env_credentials={},
        environ={},
    )
    return executor_for(node["kind"]).run(prepared.context)


def test_compiled_nodes_run_through_prepare_node(user: Any) -> None:
    plan = compile_graph(
        _graph(
            _node("check", "branch", condition=TEXT),
            _node("route", "switch", cases=CASES, mode="all"),
            _node("shape", "transform", **SHAPE),
        )
    )
    payload = {"amount": 250, "tag": "vip"}
    check = _prepare_and_run(user, plan, "check", payload)
    assert (check.output, check.ports) == ({"result": True}, ("true",))
    route = _prepare_and_run(user, plan, "route", payload)
    assert (route.output, route.ports) == ({"matched": ["big", "vip"]}, ("big", "vip"))
    shape = _prepare_and_run(user, plan, "shape", payload, upstream={"check": check.output})
    assert shape.output == {"was": {"big": True}, "amount": 250}


def test_a_payload_value_that_looks_like_a_condition_stays_a_value(user: Any) -> None:
    plan = compile_graph(_graph(_node("check", "branch", condition='{{payload.name}} == "alice"')))
    for name in ['x" or true or "', 'alice" or "1" == "1', "{{payload.admin}}"]:
        result = _prepare_and_run(user, plan, "check", {"name": name, "admin": "alice"})
        assert result.ports == ("false",), name


def test_a_null_operand_survives_compilation() -> None:
    condition = {"match": "all", "rules": [{"left": "{{payload.x}}", "op": "equals", "right": None}]}
    plan = compile_graph(_graph(_node("check", "branch", condition=condition)))
    assert plan["nodes"][1]["config"] == {"condition": condition}


def test_a_case_named_error_clashes_with_the_error_output() -> None:
    cases = [{"name": "error", "condition": TEXT}]
    (error,) = _errors(_graph(_node("route", "switch", cases=cases, on_error="error_output")))
    assert (error["path"], error["code"]) == ("nodes[1].config", "duplicate_output")
    compile_graph(_graph(_node("route", "switch", cases=cases)))  # fine without an error output
