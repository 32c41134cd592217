"""Compile-time template checks: every `{{steps.X…}}` names an upstream node; bad placeholders are 400s."""

from __future__ import annotations

from typing import Any

import pytest

from backend.workflows.graph import GraphError, compile_graph
from tests.support.graphs import builder_file, chain, edge, http_node, start_node

URL = "https://api.example.test/x"


def _graph(*nodes: dict[str, Any], edges: list[Any]) -> dict[str, Any]:
    return {"nodes": list(nodes), "edges": edges}


def _errors(raw: Any) -> list[dict[str, str]]:
    with pytest.raises(GraphError) as caught:
        compile_graph(raw)
    assert caught.value.status == 400 and caught.value.code == "invalid_graph"
    return caught.value.details["errors"]


def _ref(node_id: str, **config: Any) -> dict[str, Any]:
    return http_node(node_id, config.pop("url", URL), **config)


def test_reference_errors_self_reference() -> None:
    graph = _graph(start_node(), _ref("a", url=f"{URL}/{{{{steps.a.output.body.id}}}}"), edges=chain("start", "a"))
    (error,) = _errors(graph)
    assert error["path"] == "nodes[1].config.url" and error["code"] == "self_reference"
    assert error["message"].startswith('node "a" field url: {{steps.a.output.body.id}} reads this node')


def test_reference_errors_downstream_reference() -> None:
    graph = _graph(
        start_node(),
        _ref("a", headers={"X-Id": "{{steps.b.output.status}}"}),
        _ref("b"),
        edges=chain("start", "a", "b"),
    )
    (error,) = _errors(graph)
    assert error["path"] == "nodes[1].config.headers.X-Id" and error["code"] == "not_upstream"
    assert 'node "a" field headers.X-Id' in error["message"]
    assert 'reads node "b", which is not upstream of "a"' in error["message"]


def test_reference_errors_sibling_reference() -> None:
    graph = _graph(
        start_node(),
        _ref("left"),
        _ref("right", json_body={"x": ["{{steps.left.output.body}}"]}),
        edges=[edge("start", "left"), edge("start", "right")],
    )
    (error,) = _errors(graph)
    assert error["path"] == "nodes[2].config.json_body.x[0]" and error["code"] == "not_upstream"
    assert 'node "right" field json_body.x[0]' in error["message"]


def test_reference_errors_unknown_node() -> None:
    graph = _graph(start_node(), _ref("a", body='{"t": "{{steps.ghost.output.body}}"}'), edges=chain("start", "a"))
    (error,) = _errors(graph)
    assert error["path"] == "nodes[1].config.body" and error["code"] == "unknown_step"
    expected = 'node "a" field body: {{steps.ghost.output.body}} reads node "ghost", which is not in this graph'
    assert error["message"] == expected


def test_reference_errors_upstream_across_several_hops_is_accepted() -> None:
    graph = _graph(
        start_node(),
        _ref("a"),
        _ref("b"),
        _ref("side"),
        _ref(
            "d",
            url=f"{URL}/{{{{steps.a.output.body.id}}}}?s={{{{steps.side.output.status}}}}",
            headers={"X-Start": "{{steps.start.output}}"},
            body='{"b": "{{steps.b.output.body}}"}',
            json_body={"whole": "{{steps.b}}"},
        ),
        edges=[*chain("start", "a", "b", "d"), edge("start", "side"), edge("side", "d")],
    )
    plan = compile_graph(graph)
    assert [n["id"] for n in plan["nodes"]][-1] == "d"


def test_reference_errors_builder_form_path_and_every_field_reported() -> None:
    nodes = [
        start_node(),
        _ref("a", url=f"{URL}/{{{{steps.b.output}}}}", headers={"H": "{{steps.a.output}}"}),
        _ref("b"),
    ]
    errors = _errors(builder_file(nodes, chain("start", "a", "b")))
    assert {(e["path"], e["code"]) for e in errors} == {
        ("nodes[1].data.config.url", "not_upstream"),
        ("nodes[1].data.config.headers.H", "self_reference"),
    }


@pytest.mark.parametrize(
    ("template", "code", "needle"),
    [
        ("{{paylaod.title}}", "invalid_template", "unknown root 'paylaod'"),
        ("{{1+1}}", "invalid_template", "invalid template expression {{1+1}}"),
        ("{{steps}}", "invalid_template", "needs a node id"),
        ("{{steps.start.status}}", "invalid_template", "a step exposes `output` and `error`"),
    ],
)
def test_reference_errors_bad_placeholders(template: str, code: str, needle: str) -> None:
    graph = _graph(start_node(), _ref("a", json_body={"v": template}), edges=chain("start", "a"))
    (error,) = _errors(graph)
    assert error["path"] == "nodes[1].config.json_body.v" and error["code"] == code
    assert needle in error["message"] and error["message"].startswith('node "a" field json_body.v')


def test_reference_errors_placeholder_in_a_key_is_reported() -> None:
    node = _ref("a", json_body={"{{payload.k}}": 1})
    [error] = _errors(_graph(start_node(), node, edges=chain("start", "a")))
    assert (error["path"], error["code"]) == ("nodes[1].config.json_body.{{payload.k}}", "invalid_template")
    assert "not in names (keys)" in error["message"]


def test_reference_errors_placeholder_in_a_header_name_is_an_invalid_header_name() -> None:
    node = _ref("a", headers={"X-{{payload.k}}": "v"})
    [error] = _errors(_graph(start_node(), node, edges=chain("start", "a")))
    assert error["path"] == "nodes[1].config.headers" and 'invalid header name "X-{{payload.k}}"' in error["message"]


def test_reference_errors_short_forms_and_other_roots_are_accepted() -> None:
    config = {"json_body": {"a": "{{x}}", "b": "{{vars.y.z}}", "c": "{{payload.p.0}}", "d": "{{getCredential('k')}}"}}
    compile_graph(_graph(start_node(), _ref("a", **config), edges=chain("start", "a")))


def test_reference_errors_auth_name_is_not_a_template() -> None:
    graph = _graph(start_node(), _ref("a", auth={"credentialName": "{{x.y}}"}), edges=chain("start", "a"))
    compile_graph(graph)


def test_reference_errors_on_a_cycle_still_reports_unknown_and_self() -> None:
    graph = _graph(
        _ref("a", url=f"{URL}/{{{{steps.a.output}}}}"),
        _ref("b", url=f"{URL}/{{{{steps.zz.output}}}}"),
        edges=[edge("a", "b"), edge("b", "a")],
    )
    assert {e["code"] for e in _errors(graph)} == {"cycle", "self_reference", "unknown_step"}


def test_reference_errors_invalid_node_is_not_also_unknown() -> None:
    graph = _graph(
        start_node(),
        {"id": "bad", "type": "http", "config": {}},
        _ref("a", url=f"{URL}/{{{{steps.bad.output}}}}"),
        edges=[edge("start", "bad"), edge("bad", "a")],
    )
    assert [e["code"] for e in _errors(graph)] == ["missing"]


def test_reference_errors_ten_thousand_nodes_each_reading_its_ancestors_are_accepted() -> None:
    count = 10_000
    nodes = [start_node()]
    for i in range(1, count):
        parent = "start" if i < 100 else f"n{i - 99}"
        grand = f"n{i - 198}" if i >= 199 else parent
        url = f"{URL}/{{{{steps.{parent}.output.body.id}}}}/{{{{steps.{grand}.output.status}}}}"
        nodes.append(_ref(f"n{i}", url=url))
    edges = [edge("start", f"n{i}") if i < 100 else edge(f"n{i - 99}", f"n{i}") for i in range(1, count)]
    # Its speed is `make bench`'s compile figure; here, every reference across the mesh is accepted.
    plan = compile_graph(_graph(*nodes, edges=edges))
    assert len(plan["nodes"]) == count
