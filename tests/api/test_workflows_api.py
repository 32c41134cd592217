"""Workflows API: create (plain, file import, legacy import), list, retrieve, update, delete, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.workflows.models import Workflow
from tests.support.graphs import builder_file, chain, http_node, start_node
from tests.support.samples import legacy_document

pytestmark = pytest.mark.django_db
URL = "https://api.example.test/x"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _graph(url: str = URL) -> dict[str, Any]:
    return builder_file([start_node(), http_node("ping", url, label="Ping")], chain("start", "ping"))


def _post(client: APIClient, body: Any, path: str = "/v1/workflows") -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _create(client: APIClient, name: str = "Ping", **extra: Any) -> dict[str, Any]:
    response = _post(client, {"name": name, "graph": _graph(), **extra})
    assert response.status_code == 201, response.content
    return response.json()


def _assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "details"}
    if code:
        assert error["code"] == code
    return error


def test_workflow_create_returns_document(api: APIClient) -> None:
    doc = _create(api, description="pings", vars={"channel": "#ops"})
    assert set(doc) == {
        "id",
        "name",
        "description",
        "vars",
        "graph",
        "version",
        "failureWorkflowId",
        "createdAt",
        "updatedAt",
    }
    assert doc["name"] == "Ping" and doc["description"] == "pings" and doc["vars"] == {"channel": "#ops"}
    graph = doc["graph"]
    assert [n["id"] for n in graph["nodes"]] == ["start", "ping"]
    assert graph["meta"]["name"] == "Ping" and graph["meta"]["version"] == 1
    assert graph["vars"] == {"channel": "#ops"} and graph["metadata"] == {}
    assert doc["createdAt"].endswith("Z")


def test_workflow_create_flattened_graph(api: APIClient) -> None:
    flat = {"nodes": [start_node(), http_node("ping", URL)], "edges": chain("start", "ping")}
    response = _post(api, {"name": "Flat", "graph": flat})
    assert response.status_code == 201
    assert response.json()["graph"]["nodes"][1]["data"]["config"]["url"] == URL


def test_workflow_import_builder_file_as_body(api: APIClient) -> None:
    file = _graph()
    file["meta"] = {"name": "Imported", "version": 1, "exportedAt": "2026-01-02T03:04:05.000Z", "description": "d"}
    file["metadata"] = {}
    file["vars"] = {"notionDatabaseId": "db1"}
    response = _post(api, file)
    assert response.status_code == 201, response.content
    doc = response.json()
    assert (doc["name"], doc["description"], doc["vars"]) == ("Imported", "d", {"notionDatabaseId": "db1"})
    assert doc["graph"]["nodes"] == file["nodes"] and doc["graph"]["edges"] == file["edges"]


def test_workflow_import_legacy_definition_steps(api: APIClient) -> None:
    legacy = legacy_document()
    response = _post(api, legacy)
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["name"] == "Create task"
    assert [n["id"] for n in doc["graph"]["nodes"]] == ["start", "step-1"]
    config = doc["graph"]["nodes"][1]["data"]["config"]
    assert config["headers"]["Authorization"] == "Bearer {{getCredential('tasksToken')}}"
    assert config["json_body"] == {"title": "{{payload.title}}"}


def test_workflow_import_legacy_unknown_step_is_400(api: APIClient) -> None:
    response = _post(api, {"name": "x", "definition": {"steps": [{"type": "ftp_node", "config": {}}]}})
    error = _assert_error(response, 400, "invalid_workflow_file")
    assert error["details"]["errors"][0]["path"] == "definition.steps[0].type"
    assert "ftp_node" in error["message"]
    assert Workflow.objects.count() == 0


@pytest.mark.parametrize("name", ["slack-notification.json", "notion-automation.json"])
def test_workflow_import_example_files(api: APIClient, name: str) -> None:
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} not written yet")
    file = json.loads(path.read_text())
    response = _post(api, file)
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["name"] == file["meta"]["name"]
    assert doc["graph"]["nodes"] == file["nodes"] and doc["graph"]["edges"] == file["edges"]
    assert doc["vars"] == file.get("vars", {})


def test_workflow_create_invalid_graph_is_400_with_paths_and_nothing_stored(api: APIClient) -> None:
    graph = builder_file(
        [
            start_node(),
            {"id": "p", "type": "http", "config": {"method": "GET"}},
            {"id": "m", "type": "email", "config": {}},
        ],
        chain("start", "p", "ghost"),
    )
    error = _assert_error(_post(api, {"name": "Bad", "graph": graph}), 400, "invalid_graph")
    paths = {e["path"] for e in error["details"]["errors"]}
    assert paths == {"nodes[1].data.config.url", "nodes[2].type", "edges[1].target"}
    assert 'node "p" config.url: Field required' in error["message"]
    assert Workflow.objects.count() == 0


def test_workflow_create_downstream_step_reference_is_400_naming_node_and_field(api: APIClient) -> None:
    first = http_node("first", URL, json_body={"total": "{{steps.second.output.body.total}}"})
    graph = builder_file([start_node(), first, http_node("second", URL)], chain("start", "first", "second"))
    error = _assert_error(_post(api, {"name": "Bad", "graph": graph}), 400, "invalid_graph")
    (detail,) = error["details"]["errors"]
    assert detail["path"] == "nodes[1].data.config.json_body.total" and detail["code"] == "not_upstream"
    assert 'node "first" field json_body.total' in error["message"]
    assert Workflow.objects.count() == 0


def test_workflow_update_self_reference_is_400_and_unchanged(api: APIClient) -> None:
    created = _create(api)
    graph = _graph(url=URL + "/{{steps.ping.output.body.id}}")
    response = api.patch(f"/v1/workflows/{created['id']}", data={"graph": graph}, format="json")
    error = _assert_error(response, 400, "invalid_graph")
    assert error["details"]["errors"][0]["path"] == "nodes[1].data.config.url"
    assert 'node "ping" field url' in error["message"]
    assert api.get(f"/v1/workflows/{created['id']}").json()["graph"]["nodes"] == created["graph"]["nodes"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "graph": _graph(), "owner": 1}, "owner"),
        ({"graph": _graph()}, "name"),
        ({"name": "x"}, "graph"),
        ({"name": "x", "graph": "nope"}, "graph"),
        ({"name": "", "graph": _graph()}, "name"),
        ({"name": "x", "graph": _graph(), "vars": [1]}, "vars"),
        ({"name": "x", "graph": _graph(), "description": 5}, "description"),
        ([1, 2], "body"),
    ],
)
def test_workflow_create_bad_input_is_400_naming_field(api: APIClient, body: Any, field: str) -> None:
    error = _assert_error(_post(api, body), 400)
    assert field in json.dumps(error["details"])
    assert Workflow.objects.count() == 0


def test_workflow_import_file_with_unknown_keys_is_400(api: APIClient) -> None:
    file = _graph()
    file["edges"][0]["animated"] = True
    file["viewport"] = {}
    error = _assert_error(_post(api, file), 400, "invalid_workflow_file")
    assert {e["path"] for e in error["details"]["errors"]} == {"viewport", "edges[0].animated"}


def test_workflow_create_malformed_json_is_400(api: APIClient) -> None:
    response = api.post("/v1/workflows", data="{nope", content_type="application/json")
    _assert_error(response, 400, "parse_error")


def test_workflow_create_duplicate_name_is_409(api: APIClient, other_api: APIClient) -> None:
    _create(api, "Same")
    _assert_error(_post(api, {"name": "Same", "graph": _graph()}), 409, "name_taken")
    assert _post(other_api, {"name": "Same", "graph": _graph()}).status_code == 201


def test_workflow_api_requires_auth(db: Any) -> None:
    client = APIClient()
    for response in (client.get("/v1/workflows"), _post(client, {"name": "x", "graph": _graph()})):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer aos_nope")
    assert bad.get("/v1/workflows").status_code == 401
    assert Workflow.objects.count() == 0


def test_workflow_list_is_paginated_and_newest_updated_first(api: APIClient, other_api: APIClient) -> None:
    first = _create(api, "first")
    _create(api, "second")
    _create(other_api, "theirs")
    api.patch(f"/v1/workflows/{first['id']}", data={"description": "touched"}, format="json")
    body = api.get("/v1/workflows?pageSize=1").json()
    assert body["count"] == 2 and body["next"]
    assert [w["name"] for w in body["results"]] == ["first"]
    assert set(body["results"][0]) == {"id", "name", "description", "nodeCount", "version", "createdAt", "updatedAt"}
    assert body["results"][0]["nodeCount"] == 2
    assert [w["name"] for w in api.get(body["next"]).json()["results"]] == ["second"]


def test_workflow_detail_of_another_user_is_404(api: APIClient, other_api: APIClient) -> None:
    doc = _create(api)
    url = f"/v1/workflows/{doc['id']}"
    assert other_api.get(url).status_code == 404
    assert other_api.get(f"{url}/export").status_code == 404
    assert other_api.patch(url, data={"name": "mine"}, format="json").status_code == 404
    assert other_api.delete(url).status_code == 404
    _assert_error(other_api.get(url), 404, "not_found")
    assert api.get(url).json()["name"] == "Ping"


def test_workflow_put_replaces_and_patch_changes_parts(api: APIClient) -> None:
    doc = _create(api, description="old", vars={"a": 1})
    url = f"/v1/workflows/{doc['id']}"
    new_graph = _graph("https://api.example.test/new")
    put = api.put(url, data={"name": "Renamed", "graph": new_graph}, format="json")
    assert put.status_code == 200, put.content
    assert (put.json()["name"], put.json()["description"], put.json()["vars"]) == ("Renamed", "", {})
    patch = api.patch(url, data={"vars": {"b": 2}}, format="json")
    assert patch.json()["vars"] == {"b": 2} and patch.json()["name"] == "Renamed"
    stored = Workflow.objects.get(pk=doc["id"])
    assert stored.graph["nodes"][1]["data"]["config"]["url"] == "https://api.example.test/new"


def test_workflow_put_builder_file_keeps_name_when_file_has_none(api: APIClient) -> None:
    doc = _create(api)
    file = _graph("https://api.example.test/saved")
    del file["meta"]
    file["vars"] = {"k": "v"}
    response = api.put(f"/v1/workflows/{doc['id']}", data=file, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Ping" and response.json()["vars"] == {"k": "v"}


def test_workflow_update_invalid_graph_is_400_and_unchanged(api: APIClient) -> None:
    doc = _create(api)
    url = f"/v1/workflows/{doc['id']}"
    cyclic = builder_file([http_node("a", URL), http_node("b", URL)], chain("a", "b", "a"))
    error = _assert_error(api.patch(url, data={"name": "New", "graph": cyclic}, format="json"), 400, "invalid_graph")
    assert 'cycle: "a" → "b" → "a"' in error["message"]
    assert api.get(url).json()["name"] == "Ping"


def test_workflow_patch_unknown_field_and_taken_name(api: APIClient) -> None:
    doc = _create(api, "A")
    _create(api, "B")
    url = f"/v1/workflows/{doc['id']}"
    error = _assert_error(api.patch(url, data={"colour": "red"}, format="json"), 400)
    assert "colour" in error["details"]
    _assert_error(api.patch(url, data={"name": "B"}, format="json"), 409, "name_taken")


def test_workflow_delete_is_204_then_404(api: APIClient) -> None:
    doc = _create(api)
    url = f"/v1/workflows/{doc['id']}"
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert not Workflow.objects.exists()


def test_workflow_export_is_attachment_that_imports_back(api: APIClient) -> None:
    doc = _create(api, "Ping the Team", vars={"x": 1}, description="hello")
    response = api.get(f"/v1/workflows/{doc['id']}/export")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ping-the-team-v1.json"'
    assert response.content.decode().startswith('{\n  "nodes": [')
    exported = json.loads(response.content)
    assert set(exported) == {"nodes", "edges", "meta", "metadata", "vars"}
    assert exported["meta"]["name"] == "Ping the Team" and exported["meta"]["exportedAt"].endswith("Z")
    api.delete(f"/v1/workflows/{doc['id']}")
    again = _post(api, exported).json()
    assert again["graph"]["nodes"] == doc["graph"]["nodes"] and again["graph"]["edges"] == doc["graph"]["edges"]
    assert (again["name"], again["vars"], again["description"]) == ("Ping the Team", {"x": 1}, "hello")


def test_workflow_can_be_run_by_id(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # The runs API reads the stored graph through workflow_get: a saved workflow must compile again.
    monkeypatch.setattr("backend.runs.services.enqueue_steps_on_commit", lambda *args, **kwargs: None)
    doc = _create(api, vars={"a": 1})
    response = _post(api, {"workflowId": doc["id"]}, path="/v1/runs")
    assert response.status_code in (201, 202), response.content


def _long_id_graph(node_id: str) -> dict[str, Any]:
    return builder_file([start_node(), http_node(node_id, URL, label="Ping")], chain("start", node_id))


@pytest.mark.usefixtures("discard_dispatch")
def test_workflow_with_a_201_char_node_id_is_refused_at_save_and_200_runs(api: APIClient) -> None:
    refused = _assert_error(_post(api, {"name": "Long", "graph": _long_id_graph("n" * 201)}), 400, "invalid_graph")
    assert refused["details"]["errors"] == [
        {
            "path": "nodes[1].id",
            "code": "invalid_id",
            "message": "node 1: `id` must be at most 200 characters (got 201)",
        }
    ]
    assert not Workflow.objects.exists()
    saved = _post(api, {"name": "Long", "graph": _long_id_graph("n" * 200)})
    assert saved.status_code == 201, saved.content
    started = _post(api, {"workflowId": saved.json()["id"]}, path="/v1/runs")
    assert started.status_code == 201, started.content
    steps = api.get(f"/v1/runs/{started.json()['id']}").json()["steps"]
    assert ["n" * 200 in json.dumps(step) for step in steps] == [False, True]


@pytest.mark.usefixtures("discard_dispatch")
def test_stored_workflow_over_the_limits_still_reads_and_its_run_is_a_400(api: APIClient, user: Any) -> None:
    """A row saved before the limits (or by hand) breaks no read; running it is a 400 naming the node."""
    graph = _long_id_graph("n" * 201)
    graph["nodes"][1]["data"]["config"]["headers"] = {"Host": "other.test"}
    workflow = Workflow.objects.create(owner=user, name="old\nname", graph=graph, description="d\x07")
    detail = api.get(f"/v1/workflows/{workflow.pk}")
    assert detail.status_code == 200 and detail.json()["graph"]["nodes"][1]["id"] == "n" * 201
    assert api.get("/v1/workflows").status_code == 200
    exported = api.get(f"/v1/workflows/{workflow.pk}/export")
    assert exported.status_code == 200 and exported["Content-Disposition"] == 'attachment; filename="old-name-v1.json"'
    error = _assert_error(_post(api, {"workflowId": str(workflow.pk)}, path="/v1/runs"), 400, "invalid_graph")
    assert [e["path"] for e in error["details"]["errors"]] == ["nodes[1].id"]
    assert api.patch(f"/v1/workflows/{workflow.pk}", {"description": "fixed"}, format="json").status_code == 200


def test_workflows_empty_credential_name_means_no_authentication_and_round_trips(api: APIClient) -> None:
    node = http_node("ping", "https://hooks.example.test/x", auth={"credentialName": ""})
    file = builder_file([start_node(), node], chain("start", "ping"), name="No auth")
    created = api.post("/v1/workflows", data=json.dumps(file), content_type="application/json")
    assert created.status_code == 201, created.content
    workflow_id = created.json()["id"]
    updated = api.put(
        f"/v1/workflows/{workflow_id}",
        data=json.dumps({"name": "No auth", "graph": {"nodes": [start_node(), node], "edges": chain("start", "ping")}}),
        content_type="application/json",
    )
    assert updated.status_code == 200, updated.content
    exported = api.get(f"/v1/workflows/{workflow_id}/export").json()
    [ping] = [n for n in exported["nodes"] if n["id"] == "ping"]
    assert ping["data"]["config"]["auth"] == {"credentialName": ""}


def test_workflows_import_with_on_name_taken_rename_gets_a_free_name(api: APIClient) -> None:
    file = builder_file([start_node()], [], name="Slack Notification")
    body = json.dumps(file)
    first = api.post("/v1/workflows?onNameTaken=rename", data=body, content_type="application/json")
    second = api.post("/v1/workflows?onNameTaken=rename", data=body, content_type="application/json")
    third = api.post("/v1/workflows?onNameTaken=rename", data=body, content_type="application/json")
    assert [r.json()["name"] for r in (first, second, third)] == [
        "Slack Notification",
        "Slack Notification (2)",
        "Slack Notification (3)",
    ]
    # Creating or renaming to a taken name stays a conflict.
    plain = api.post("/v1/workflows", data=body, content_type="application/json")
    assert plain.status_code == 409 and plain.json()["error"]["code"] == "name_taken"
    renamed = api.patch(
        f"/v1/workflows/{third.json()['id']}",
        data=json.dumps({"name": "Slack Notification"}),
        content_type="application/json",
    )
    assert renamed.status_code == 409
    bad = api.post("/v1/workflows?onNameTaken=overwrite", data=body, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["details"] == {"onNameTaken": ["must be error or rename"]}
