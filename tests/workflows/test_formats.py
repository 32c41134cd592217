"""Builder file rules (compat.md §1), legacy definition.steps import (§2), export and file names."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from backend.workflows.export import export_filename, to_builder_file
from backend.workflows.formats import (
    WorkflowFileError,
    legacy_to_graph,
    normalize_graph,
    parse_builder_file,
    parse_vars,
    read_import,
)
from backend.workflows.graph import GraphError, compile_graph
from tests.support.samples import SLACK_URL, legacy_document, prototype_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
URL = SLACK_URL


def _with_fractional_position(doc: dict[str, Any]) -> dict[str, Any]:
    doc["nodes"][1]["position"]["x"] = 260.5  # positions are any number, not just integers
    return doc


def _file() -> dict[str, Any]:
    return _with_fractional_position(prototype_file())


def _file_errors(doc: Any) -> list[dict[str, str]]:
    with pytest.raises(WorkflowFileError) as caught:
        parse_builder_file(doc)
    assert caught.value.status == 400
    return caught.value.details["errors"]


def test_parse_builder_file_reads_name_graph_and_no_vars() -> None:
    imported = parse_builder_file(_file())
    assert imported.name == "Ping team"
    assert imported.variables is None
    assert imported.graph == {"nodes": _file()["nodes"], "edges": _file()["edges"]}


def test_parse_builder_file_defaults_name_and_allows_missing_meta() -> None:
    doc = _file()
    del doc["meta"], doc["metadata"]
    assert parse_builder_file(doc).name == "Untitled"


def test_parse_builder_file_uses_legacy_metadata_name_and_drops_unknown_metadata() -> None:
    doc = _file()
    del doc["meta"]
    doc["metadata"] = {"name": "Old", "description": "d", "createdAt": "x", "whatever": 1}
    imported = parse_builder_file(doc)
    assert (imported.name, imported.description) == ("Old", "d")


def test_parse_builder_file_drops_unknown_node_and_data_keys() -> None:
    doc = _file()
    doc["nodes"][1].update({"selected": True, "width": 150})
    doc["nodes"][1]["data"]["icon"] = "globe"
    node = parse_builder_file(doc).graph["nodes"][1]
    assert node == _file()["nodes"][1]


def test_parse_builder_file_reads_vars() -> None:
    doc = {**_file(), "vars": {"notionDatabaseId": "abc", "n": 3, "nested": {"a": [1]}}}
    assert parse_builder_file(doc).variables == {"notionDatabaseId": "abc", "n": 3, "nested": {"a": [1]}}


def _mutate(change: Any) -> dict[str, Any]:
    doc = _file()
    change(doc)
    return doc


@pytest.mark.parametrize(
    ("doc", "path", "code"),
    [
        ("nope", "", "not_an_object"),
        (_mutate(lambda d: d.update(extra=1)), "extra", "unknown_field"),
        (_mutate(lambda d: d.pop("edges")), "edges", "required"),
        (_mutate(lambda d: d.update(nodes={})), "nodes", "wrong_type"),
        (_mutate(lambda d: d["meta"].update(version=2)), "meta.version", "unsupported_version"),
        (_mutate(lambda d: d["meta"].update(version="1")), "meta.version", "unsupported_version"),
        (_mutate(lambda d: d["meta"].update(version=True)), "meta.version", "unsupported_version"),
        (_mutate(lambda d: d["meta"].update(author="me")), "meta.author", "unknown_field"),
        (_mutate(lambda d: d["meta"].update(name=5)), "meta.name", "wrong_type"),
        (_mutate(lambda d: d["meta"].update(exportedAt="yesterday")), "meta.exportedAt", "invalid_datetime"),
        (_mutate(lambda d: d.update(meta=[])), "meta", "wrong_type"),
        (_mutate(lambda d: d.update(metadata={"version": 1})), "metadata.version", "wrong_type"),
        (_mutate(lambda d: d["nodes"][0].pop("id")), "nodes[0].id", "required"),
        (_mutate(lambda d: d["nodes"][0].update(position={"x": "1", "y": 2})), "nodes[0].position", "wrong_type"),
        (_mutate(lambda d: d["nodes"][0].update(data=[])), "nodes[0].data", "wrong_type"),
        (_mutate(lambda d: d["nodes"][0]["data"].update(label=3)), "nodes[0].data.label", "wrong_type"),
        (_mutate(lambda d: d["nodes"][0]["data"].update(config=[])), "nodes[0].data.config", "wrong_type"),
        (_mutate(lambda d: d["edges"][0].update(animated=True)), "edges[0].animated", "unknown_field"),
        (_mutate(lambda d: d["edges"][0].update(style={})), "edges[0].style", "unknown_field"),
        (_mutate(lambda d: d["edges"][0].pop("id")), "edges[0].id", "required"),
        (_mutate(lambda d: d["edges"][0].update(sourceHandle=1)), "edges[0].sourceHandle", "wrong_type"),
        (_mutate(lambda d: d["edges"][0].update(data="x")), "edges[0].data", "wrong_type"),
        (_mutate(lambda d: d.update(vars=[1])), "vars", "wrong_type"),
        (_mutate(lambda d: d.update(vars={"a.b": 1})), "vars.a.b", "invalid_name"),
    ],
)
def test_parse_builder_file_rejects(doc: Any, path: str, code: str) -> None:
    errors = _file_errors(doc)
    assert any(e["path"] == path and e["code"] == code for e in errors), errors


def test_parse_builder_file_collects_all_errors() -> None:
    doc = _mutate(lambda d: (d.update(extra=1), d["edges"][0].update(animated=True), d["meta"].update(version=9)))
    assert {e["code"] for e in _file_errors(doc)} == {"unknown_field", "unsupported_version"}


def test_node_configs_are_left_to_the_compiler() -> None:
    doc = _mutate(lambda d: d["nodes"][1]["data"]["config"].pop("url"))
    graph = parse_builder_file(doc).graph  # the file schema does not know node kinds' configs
    with pytest.raises(GraphError, match=r"config\.url"):
        compile_graph(graph)


def test_normalize_graph_turns_flattened_form_into_builder_form() -> None:
    flat = {
        "nodes": [
            {"id": "s", "type": "start", "config": {}},
            {"id": "h", "type": "http_request_node", "label": "Call", "config": {"url": URL}},
        ],
        "edges": [{"source": "s", "target": "h"}],
    }
    graph = normalize_graph(flat)
    assert graph["nodes"][1] == {
        "id": "h",
        "type": "http_request_node",
        "position": {"x": 260, "y": 60},
        "data": {"label": "Call", "config": {"url": URL}},
    }
    assert graph["edges"] == [{"id": "e-s-h", "source": "s", "target": "h"}]
    assert compile_graph(graph) == compile_graph(flat)


def test_normalize_graph_rejects_unknown_top_level_keys() -> None:
    with pytest.raises(WorkflowFileError) as caught:
        normalize_graph({"nodes": [], "edges": [], "viewport": {}})
    assert caught.value.details["errors"][0]["path"] == "viewport"


def test_parse_vars_rejects_non_object() -> None:
    with pytest.raises(WorkflowFileError):
        parse_vars("x")


def test_legacy_to_graph_chains_start_and_steps() -> None:
    doc = legacy_document(
        "https://api.example.test/tasks",
        {"type": "http_request_node", "config": {"url": "https://api.example.test/done"}},
    )
    graph = legacy_to_graph(doc)
    assert [n["id"] for n in graph["nodes"]] == ["start", "step-1", "step-2"]
    assert [n["type"] for n in graph["nodes"]] == ["start", "http", "http"]
    assert [(e["source"], e["target"]) for e in graph["edges"]] == [("start", "step-1"), ("step-1", "step-2")]
    assert graph["meta"]["name"] == "Create task"
    assert graph["nodes"][1]["data"]["config"]["json_body"] == {"title": "{{payload.title}}"}
    plan = compile_graph(graph)
    assert [n["id"] for n in plan["nodes"]] == ["start", "step-1", "step-2"]
    imported = read_import(doc)
    assert imported.name == "Create task" and imported.graph["nodes"] == graph["nodes"]


def test_legacy_to_graph_unknown_step_type_names_the_step() -> None:
    doc = {"name": "x", "definition": {"steps": [{"type": "http_request_node", "config": {}}, {"type": "email_node"}]}}
    with pytest.raises(WorkflowFileError) as caught:
        legacy_to_graph(doc)
    (error,) = caught.value.details["errors"]
    assert error["path"] == "definition.steps[1].type"
    assert "step 2" in error["message"] and "email_node" in error["message"]


@pytest.mark.parametrize("doc", [{"definition": {}}, {"definition": {"steps": "x"}}, {"definition": []}])
def test_legacy_to_graph_requires_steps(doc: Any) -> None:
    with pytest.raises(WorkflowFileError, match=r"definition\.steps"):
        legacy_to_graph(doc)


def test_read_import_rejects_unknown_shape() -> None:
    with pytest.raises(WorkflowFileError, match="builder file"):
        read_import({"name": "x"})


def test_import_then_export_gives_back_nodes_and_edges() -> None:
    original = _file()
    imported = parse_builder_file(copy.deepcopy(original))
    exported = to_builder_file(name=imported.name, graph=imported.graph, variables={"a": 1})
    assert exported["nodes"] == original["nodes"]
    assert exported["edges"] == original["edges"]
    assert exported["meta"]["name"] == "Ping team" and exported["meta"]["version"] == 1
    assert exported["metadata"] == {} and exported["vars"] == {"a": 1}
    assert exported["meta"]["exportedAt"].endswith("Z") and len(exported["meta"]["exportedAt"]) == 24
    again = parse_builder_file(json.loads(json.dumps(exported)))
    assert again.graph == imported.graph and again.variables == {"a": 1}


def test_to_builder_file_omits_empty_vars_and_description() -> None:
    doc = to_builder_file(name="n", graph={"nodes": [], "edges": []}, variables={})
    assert set(doc) == {"nodes", "edges", "meta", "metadata"}
    assert set(doc["meta"]) == {"name", "version", "exportedAt"}
    described = to_builder_file(name="n", graph={"nodes": [], "edges": []}, description="hi")
    assert described["meta"]["description"] == "hi"


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("Ping team", "ping-team-v1.json"),
        ("Notion Automation!", "notion-automation-v1.json"),
        ("slackNotification", "slack-notification-v1.json"),
        ("  --  ", "workflow-v1.json"),
        ("Déploiement 2", "deploiement-2-v1.json"),
    ],
)
def test_export_filename_is_kebab_case(name: str, filename: str) -> None:
    assert export_filename(name) == filename


@pytest.mark.parametrize("name", ["slack-notification.json", "notion-automation.json"])
def test_example_files_load_and_compile(name: str) -> None:
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} not written yet")
    imported = read_import(json.loads(path.read_text()))
    plan = compile_graph(imported.graph)
    assert plan["roots"] == ["start"]
    assert [n["kind"] for n in plan["nodes"]] == ["start", "http"]
