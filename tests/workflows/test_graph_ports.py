"""The compiler and named outputs: edges name the output they leave by; the plan maps outputs to successors."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from backend.workflows.graph import GraphError, compile_graph
from workers.executors.base import NodeSpec
from workers.executors.registry import SPECS


class _Fork(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cases: list[dict[str, Any]] = []


FORK = NodeSpec(kind="fork", label="Fork", description="", color="#000", config_model=_Fork, outputs=("yes", "no"))
PICK = NodeSpec(
    kind="pick", label="Pick", description="", color="#000", config_model=_Fork, outputs=("default",),
    outputs_from="cases",
)  # fmt: skip
KINDS = {**SPECS, "fork": FORK, "pick": PICK}


def _graph(edges: list[dict[str, Any]], kind: str = "fork", config: dict[str, Any] | None = None) -> dict[str, Any]:
    nodes = [
        {"id": "start", "type": "start"},
        {"id": "f", "type": kind, "config": config or {}},
        {"id": "a", "type": "http", "config": {"url": "https://x.test/a"}},
        {"id": "b", "type": "http", "config": {"url": "https://x.test/b"}},
    ]
    return {"nodes": nodes, "edges": [{"source": "start", "target": "f"}, *edges]}


def test_graph_ports_map_each_output_to_its_successors() -> None:
    plan = compile_graph(
        _graph(
            [
                {"source": "f", "target": "a", "sourceHandle": "yes"},
                {"source": "f", "target": "b", "sourceHandle": "no"},
            ]
        ),
        specs=KINDS,
    )
    fork = next(n for n in plan["nodes"] if n["id"] == "f")
    assert fork["ports"] == {"yes": ["a"], "no": ["b"]} and fork["next"] == ["a", "b"]
    assert "ports" not in next(n for n in plan["nodes"] if n["id"] == "a")


def test_graph_ports_two_outputs_to_one_target_are_one_dependency() -> None:
    plan = compile_graph(
        _graph(
            [
                {"source": "f", "target": "a", "sourceHandle": "yes"},
                {"source": "f", "target": "a", "sourceHandle": "no"},
            ]
        ),
        specs=KINDS,
    )
    a = next(n for n in plan["nodes"] if n["id"] == "a")
    fork = next(n for n in plan["nodes"] if n["id"] == "f")
    assert a["deps"] == ["f"] and fork["ports"] == {"yes": ["a"], "no": ["a"]}


@pytest.mark.parametrize("handle", [None, "maybe", 3])
def test_graph_ports_an_edge_must_name_one_of_the_outputs(handle: Any) -> None:
    edge = {"id": "e1", "source": "f", "target": "a", **({} if handle is None else {"sourceHandle": handle})}
    with pytest.raises(GraphError) as info:
        compile_graph(_graph([edge]), specs=KINDS)
    [error] = info.value.errors
    assert error["path"] == "edges[1].sourceHandle" and error["code"] == "unknown_output"
    assert 'it has outputs "yes", "no"' in error["message"] and 'edge "e1" leaves node "f"' in error["message"]


def test_graph_ports_outputs_named_by_the_config_come_first() -> None:
    config = {"cases": [{"name": "vip"}, {"name": "big"}]}
    edges = [
        {"source": "f", "target": "a", "sourceHandle": "big"},
        {"source": "f", "target": "b", "sourceHandle": "default"},
    ]
    plan = compile_graph(_graph(edges, kind="pick", config=config), specs=KINDS)
    pick = next(n for n in plan["nodes"] if n["id"] == "f")
    assert pick["ports"] == {"vip": [], "big": ["a"], "default": ["b"]}
    duplicated = {"cases": [{"name": "vip"}, {"name": "vip"}]}
    with pytest.raises(GraphError) as info:
        compile_graph(_graph([], kind="pick", config=duplicated), specs=KINDS)
    assert info.value.errors[0]["code"] == "duplicate_output"


def test_graph_ports_a_handle_on_a_node_without_outputs_is_ignored() -> None:
    graph = _graph(
        [{"source": "f", "target": "a", "sourceHandle": "yes"}, {"source": "a", "target": "b", "sourceHandle": "x"}]
    )
    plan = compile_graph(graph, specs=KINDS)
    assert next(n for n in plan["nodes"] if n["id"] == "b")["deps"] == ["a"]


def test_graph_ports_an_error_output_splits_a_plain_nodes_edges() -> None:
    call = {"id": "c", "type": "http", "config": {"url": "https://x.test/", "on_error": "error_output"}}
    graph = {
        "nodes": [{"id": "start", "type": "start"}, call, *_graph([])["nodes"][2:]],
        "edges": [
            {"source": "start", "target": "c"},
            {"source": "c", "target": "a"},
            {"source": "c", "target": "b", "sourceHandle": "error"},
        ],
    }
    plan = compile_graph(graph, specs=KINDS)
    assert next(n for n in plan["nodes"] if n["id"] == "c")["ports"] == {"": ["a"], "error": ["b"]}
