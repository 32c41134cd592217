"""Table tests of the DAG compiler: both input forms, every error, deterministic order, speed."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from backend.core.errors import ValidationFailed
from backend.workflows.graph import GraphError, compile_graph, topological_order
from tests.support.graphs import builder_file, chain, edge, http_node, start_node
from tests.support.samples import prototype_file

URL = "https://api.example.test/x"


def _flat(*nodes: dict[str, Any], edges: list[Any] | None = None) -> dict[str, Any]:
    return {"nodes": list(nodes), "edges": edges or []}


def _errors(raw: Any) -> list[dict[str, str]]:
    with pytest.raises(GraphError) as caught:
        compile_graph(raw)
    assert caught.value.code == "invalid_graph"
    assert caught.value.status == 400
    return caught.value.details["errors"]


def test_compile_graph_flattened_form_gives_plan() -> None:
    graph = _flat(start_node(), http_node("ping", URL, method="POST"), edges=chain("start", "ping"))
    plan = compile_graph(graph)
    assert plan == {
        "version": 1,
        "nodes": [
            {"id": "start", "kind": "start", "label": "start", "config": {}, "deps": [], "next": ["ping"]},
            {
                "id": "ping",
                "kind": "http",
                "label": "ping",
                "config": {"method": "POST", "url": URL},
                "deps": ["start"],
                "next": [],
            },
        ],
        "roots": ["start"],
    }
    json.dumps(plan)  # stored in a JSONField: must serialise as is


def test_compile_graph_builder_form_matches_flattened_form() -> None:
    nodes = [start_node(), http_node("ping", URL, label="Ping team", headers={"X": "1"})]
    flat = compile_graph(_flat(*nodes, edges=chain("start", "ping")))
    built = compile_graph(builder_file(nodes, chain("start", "ping")))
    assert flat == built
    assert built["nodes"][1]["label"] == "Ping team"


def test_compile_graph_accepts_the_compat_example_file() -> None:
    doc = {**prototype_file(headers={"Content-Type": "application/json"}), "vars": {"channel": "#ops"}}
    plan = compile_graph(doc)
    assert [n["id"] for n in plan["nodes"]] == ["begin", "ping"]
    assert plan["nodes"][1]["config"]["body"] == '{"text": "deploy finished"}'


def test_compile_graph_alias_http_request_node_becomes_http() -> None:
    node = {"id": "a", "type": "http_request_node", "config": {"url": URL}}
    plan = compile_graph(_flat(node))
    assert plan["nodes"][0]["kind"] == "http"


def test_compile_graph_missing_data_config_means_empty_config() -> None:
    plan = compile_graph({"nodes": [{"id": "s", "type": "start", "data": {}}], "edges": []})
    assert plan["nodes"][0]["config"] == {}


def test_compile_graph_keeps_only_set_config_fields() -> None:
    # The executor tells "timeout left at the default" from "chosen": defaults must not be baked in.
    plan = compile_graph(_flat(http_node("a", f"  {URL}  ", timeout_s=5)))
    assert plan["nodes"][0]["config"] == {"method": "GET", "url": URL, "timeout_s": 5.0}


def test_compile_graph_order_is_topological_with_ties_by_index() -> None:
    nodes = [http_node(n, URL) for n in ("d", "c", "b", "a")] + [start_node("s")]
    edges = [edge("s", "c"), edge("s", "a"), edge("c", "d"), edge("a", "d"), edge("b", "d")]
    plan = compile_graph(_flat(*nodes, edges=edges))
    assert [n["id"] for n in plan["nodes"]] == ["b", "s", "c", "a", "d"]
    assert plan["roots"] == ["b", "s"]
    by_id = {n["id"]: n for n in plan["nodes"]}
    assert by_id["d"]["deps"] == ["b", "c", "a"]
    assert by_id["s"]["next"] == ["c", "a"]


def test_compile_graph_is_deterministic() -> None:
    nodes = [start_node(), *(http_node(f"n{i}", URL) for i in range(30))]
    edges = [edge("start", f"n{i}") for i in range(30)] + [edge(f"n{i}", f"n{i + 1}") for i in range(0, 28, 3)]
    graph = _flat(*nodes, edges=edges)
    assert len({json.dumps(compile_graph(graph)) for _ in range(5)}) == 1
    assert topological_order(graph)[0] == "start"


def test_compile_graph_duplicate_edge_counts_once() -> None:
    plan = compile_graph(_flat(start_node(), http_node("a", URL), edges=[edge("start", "a"), edge("start", "a")]))
    assert plan["nodes"][1]["deps"] == ["start"]


@pytest.mark.parametrize(
    ("raw", "path", "code", "needle"),
    [
        ([], "", "not_an_object", "JSON object"),
        ({"edges": []}, "nodes", "required", "`nodes`"),
        ({"nodes": []}, "edges", "required", "`edges`"),
        ({"nodes": {}, "edges": []}, "nodes", "wrong_type", "must be a list"),
        ({"nodes": [], "edges": "x"}, "edges", "wrong_type", "must be a list"),
        ({"nodes": [], "edges": []}, "nodes", "empty", "no nodes"),
        ({"nodes": ["x"], "edges": []}, "nodes[0]", "wrong_type", "must be an object"),
        ({"nodes": [{"type": "start"}], "edges": []}, "nodes[0].id", "required", "id"),
        (
            {"nodes": [{"id": "m", "type": "email", "config": {}}], "edges": []},
            "nodes[0].type",
            "unknown_kind",
            'node "m" has unknown type "email"; known types: ',
        ),
        (
            {"nodes": [{"id": "p", "type": "http", "data": {"config": {"method": "GET"}}}], "edges": []},
            "nodes[0].data.config.url",
            "missing",
            'node "p" config.url: Field required',
        ),
        (
            {"nodes": [{"id": "p", "type": "http", "config": {"url": "ftp://x"}}], "edges": []},
            "nodes[0].config.url",
            "value_error",
            'node "p" config.url',
        ),
        (
            {"nodes": [{"id": "p", "type": "http", "config": {"url": URL, "method": "get"}}], "edges": []},
            "nodes[0].config.method",
            "literal_error",
            'node "p" config.method',
        ),
        (
            {"nodes": [{"id": "p", "type": "http", "config": {"url": URL, "json_body": [1]}}], "edges": []},
            "nodes[0].config.json_body",
            "dict_type",
            "json_body",
        ),
        (
            {"nodes": [{"id": "p", "type": "http", "config": {"url": URL, "headers": {"a": 1}}}], "edges": []},
            "nodes[0].config.headers.a",
            "string_type",
            "headers.a",
        ),
        (
            {"nodes": [{"id": "s", "type": "start", "config": {"x": 1}}], "edges": []},
            "nodes[0].config.x",
            "extra_forbidden",
            'node "s" config.x',
        ),
        (
            {"nodes": [{"id": "s", "type": "start", "config": "nope"}], "edges": []},
            "nodes[0].config",
            "wrong_type",
            "config must be an object",
        ),
        (
            _flat(start_node("a"), start_node("a")),
            "nodes[1].id",
            "duplicate_id",
            'duplicate node id "a" (nodes[0] and nodes[1])',
        ),
        (
            _flat(start_node("a"), start_node("b")),
            "nodes[1]",
            "multiple_starts",
            'only one start node is allowed, found "a", "b"',
        ),
        (
            _flat(start_node(), edges=[{"id": "e9", "source": "start", "target": "ghost"}]),
            "edges[0].target",
            "unknown_node",
            'edge "e9" target "ghost" is not a node',
        ),
        (
            _flat(start_node(), edges=[{"source": "start"}]),
            "edges[0].target",
            "required",
            "target",
        ),
        (_flat(start_node(), edges=[7]), "edges[0]", "wrong_type", "must be an object"),
        (
            _flat(http_node("a", URL), edges=[edge("a", "a")]),
            "edges[0]",
            "self_loop",
            'node "a" to itself',
        ),
        (
            _flat(
                start_node(),
                *(http_node(n, URL) for n in "abc"),
                edges=[*chain("start", "a", "b", "c"), edge("c", "a")],
            ),
            "nodes[1]",
            "cycle",
            'cycle: "a" → "b" → "c" → "a"',
        ),
    ],
)
def test_compile_graph_reports_error(raw: Any, path: str, code: str, needle: str) -> None:
    errors = _errors(raw)
    match = [e for e in errors if e["path"] == path and e["code"] == code]
    assert match, errors
    assert needle in match[0]["message"]


def test_compile_graph_collects_every_error_at_once() -> None:
    graph = _flat(
        start_node("a"),
        {"id": "b", "type": "nope", "config": {}},
        {"id": "c", "type": "http", "config": {}},
        start_node("a"),
        http_node("d", URL),
        edges=[edge("a", "zz"), edge("d", "d")],
    )
    codes = {e["code"] for e in _errors(graph)}
    assert codes == {"unknown_kind", "missing", "duplicate_id", "unknown_node", "self_loop"}


def test_compile_graph_edge_to_invalid_node_is_not_reported_missing() -> None:
    graph = _flat(start_node(), {"id": "bad", "type": "http", "config": {}}, edges=[edge("start", "bad")])
    assert [e["code"] for e in _errors(graph)] == ["missing"]


def test_graph_error_is_a_validation_failure_with_summary() -> None:
    with pytest.raises(ValidationFailed) as caught:
        compile_graph(_flat(http_node("ping", URL), edges=[edge("ping", "nowhere")]))
    assert caught.value.message.startswith("invalid graph: ")
    assert "nowhere" in caught.value.message


def test_compile_graph_ten_thousand_nodes_is_fast() -> None:
    count = 10_000
    nodes = [start_node(), *(http_node(f"n{i}", f"{URL}/{i}") for i in range(1, count))]
    # A wide, deep mesh: 100 branches, each node also depending on the one 99 places earlier.
    edges = [edge("start", f"n{i}") if i < 100 else edge(f"n{i - 99}", f"n{i}") for i in range(1, count)]
    graph = _flat(*nodes, edges=edges)
    best = float("inf")
    for _ in range(3):
        # CPU time, not wall time: parallel test runs on a busy machine must not make this flaky.
        began = time.process_time()
        plan = compile_graph(graph)
        best = min(best, time.process_time() - began)
    assert len(plan["nodes"]) == count
    assert plan["nodes"][0]["id"] == "start"
    assert best < 0.5, f"compiling {count} nodes took {best:.3f}s"


def test_compile_graph_long_cycle_is_reported_without_recursion_limit() -> None:
    count = 5_000
    nodes = [http_node(f"n{i}", URL) for i in range(count)]
    edges = [edge(f"n{i}", f"n{(i + 1) % count}") for i in range(count)]
    (error,) = _errors(_flat(*nodes, edges=edges))
    assert error["code"] == "cycle"
    assert error["message"].startswith('cycle: "n0" → "n1"')


def test_compile_graph_node_id_over_the_limit_is_one_error_naming_it() -> None:
    long_id = "y" * 201
    errors = _errors(_flat(start_node(), http_node(long_id, URL), edges=chain("start", long_id)))
    assert errors == [
        {
            "path": "nodes[1].id",
            "code": "invalid_id",
            "message": "node 1: `id` must be at most 200 characters (got 201)",
        }
    ]  # one error: the edge to it is not also reported as pointing at a missing node
    assert compile_graph(_flat(start_node(), http_node("y" * 200, URL)))["nodes"][1]["id"] == "y" * 200


@pytest.mark.parametrize(("node_id", "needle"), [("a\nb", "line break (U+000A"), ("a\x1bb", "control character")])
def test_compile_graph_node_id_with_control_characters_is_refused(node_id: str, needle: str) -> None:
    [error] = _errors(_flat(start_node(), http_node(node_id, URL)))
    assert (error["path"], error["code"]) == ("nodes[1].id", "invalid_id")
    assert needle in error["message"] and node_id not in error["message"]


@pytest.mark.parametrize("builder", [False, True])
def test_compile_graph_label_over_the_limit_names_node_and_field(builder: bool) -> None:
    nodes, edges = [start_node(), http_node("ping", URL, label="L" * 201)], chain("start", "ping")
    raw = builder_file(nodes, edges) if builder else _flat(*nodes, edges=edges)
    [error] = _errors(raw)
    assert error["path"] == ("nodes[1].data.label" if builder else "nodes[1].label")
    assert error["code"] == "invalid_label"
    assert error["message"] == 'node "ping": `label` must be at most 200 characters (got 201)'


def test_compile_graph_label_with_a_line_break_is_refused() -> None:
    [error] = _errors(_flat(start_node(), http_node("ping", URL, label="two\nlines")))
    assert error["code"] == "invalid_label" and "line break" in error["message"]


def test_compile_graph_http_config_the_client_cannot_send_names_node_and_field() -> None:
    node = http_node("ping", "http://0127.0.0.1/", headers={"Host": "other.test"})
    errors = _errors(_flat(start_node(), node))
    assert [e["path"] for e in errors] == ["nodes[1].config.url", "nodes[1].config.headers"]
    assert errors[0]["message"].startswith('node "ping" config.url: URL has the host 0127.0.0.1')
    assert (
        errors[1]["message"]
        == 'node "ping" config.headers: header "Host" cannot be set by hand: it is set from the URL'
    )


def test_compile_graph_without_start_node_runs_every_node_without_inputs_first() -> None:
    graph = _flat(http_node("a", URL), http_node("b", URL), http_node("c", URL), edges=chain("a", "c"))
    plan = compile_graph(graph)
    assert plan["roots"] == ["a", "b"]
    assert [n["id"] for n in plan["nodes"]] == ["a", "b", "c"]


def test_compile_graph_start_node_is_one_root_among_nodes_without_inputs() -> None:
    plan = compile_graph(_flat(start_node(), http_node("a", URL), http_node("lone", URL), edges=chain("start", "a")))
    assert plan["roots"] == ["start", "lone"]
