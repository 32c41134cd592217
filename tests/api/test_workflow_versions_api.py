"""Workflow versions API: list (newest first, paginated), read, restore; another user's is a 404 and
nothing changes; the workflow and run documents name the version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.workflows.models import Workflow, WorkflowVersion
from tests.support.graphs import builder_file, chain, http_node, start_node

pytestmark = pytest.mark.django_db
URL = "https://api.example.test/x"


@pytest.fixture(autouse=True)
def no_dispatch(discard_dispatch: None) -> None:
    """Started runs are stored, never sent."""


def _graph(*extra: str) -> dict[str, Any]:
    nodes = [start_node(), http_node("fetch", URL, label="Fetch"), *(http_node(n, URL, label=n.title()) for n in extra)]
    return builder_file(nodes, chain("start", "fetch", *extra))


def _send(api: APIClient, method: str, path: str, body: Any = None) -> Any:
    return getattr(api, method)(path, data=json.dumps(body or {}), content_type="application/json")


def _workflow_with_three_versions(api: APIClient) -> str:
    created = _send(api, "post", "/v1/workflows", {"name": "Ping", "graph": _graph(), "vars": {"a": 1}})
    assert created.status_code == 201 and created.json()["version"] == 1
    workflow_id = created.json()["id"]
    assert _send(api, "patch", f"/v1/workflows/{workflow_id}", {"graph": _graph("slack")}).json()["version"] == 2
    assert _send(api, "patch", f"/v1/workflows/{workflow_id}", {"vars": {"a": 2}}).json()["version"] == 3
    return str(workflow_id)


def test_versions_api_lists_newest_first_with_who_when_what(api: APIClient) -> None:
    workflow_id = _workflow_with_three_versions(api)
    body = api.get(f"/v1/workflows/{workflow_id}/versions").json()
    assert body["count"] == 3
    assert [v["number"] for v in body["results"]] == [3, 2, 1]
    assert [v["summary"] for v in body["results"]] == [
        "changed vars",
        "added node Slack; added edge Fetch→Slack",
        "created",
    ]
    assert set(body["results"][0]) == {"number", "createdAt", "createdBy", "summary"}
    assert body["results"][0]["createdBy"] == "alice" and body["results"][0]["createdAt"].endswith("Z")


def test_versions_api_pages_with_page_and_page_size(api: APIClient) -> None:
    workflow_id = _workflow_with_three_versions(api)
    first = api.get(f"/v1/workflows/{workflow_id}/versions?page_size=2").json()
    second = api.get(f"/v1/workflows/{workflow_id}/versions?page_size=2&page=2").json()
    assert [v["number"] for v in first["results"]] == [3, 2] and first["next"]
    assert [v["number"] for v in second["results"]] == [1] and second["next"] is None


def test_versions_api_detail_has_graph_and_vars(api: APIClient) -> None:
    workflow_id = _workflow_with_three_versions(api)
    doc = api.get(f"/v1/workflows/{workflow_id}/versions/1").json()
    assert doc["number"] == 1 and doc["vars"] == {"a": 1}
    assert [n["id"] for n in doc["graph"]["nodes"]] == ["start", "fetch"]
    missing = api.get(f"/v1/workflows/{workflow_id}/versions/9")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_versions_api_restore_records_a_new_version_and_answers_the_workflow(api: APIClient) -> None:
    workflow_id = _workflow_with_three_versions(api)
    restored = _send(api, "post", f"/v1/workflows/{workflow_id}/versions/1/restore")
    assert restored.status_code == 200
    doc = restored.json()
    assert doc["id"] == workflow_id and doc["version"] == 4 and doc["vars"] == {"a": 1}
    assert [n["id"] for n in doc["graph"]["nodes"]] == ["start", "fetch"]
    latest = api.get(f"/v1/workflows/{workflow_id}/versions").json()["results"][0]
    assert latest["number"] == 4 and latest["summary"].startswith("restored version 1")
    assert api.get(f"/v1/workflows/{workflow_id}").json()["version"] == 4


def test_versions_api_another_users_workflow_is_not_found_and_unchanged(api: APIClient, other_api: APIClient) -> None:
    workflow_id = _workflow_with_three_versions(api)
    for path in ("versions", "versions/1"):
        response = other_api.get(f"/v1/workflows/{workflow_id}/{path}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert _send(other_api, "post", f"/v1/workflows/{workflow_id}/versions/1/restore").status_code == 404
    assert Workflow.objects.get(pk=workflow_id).version == 3
    assert WorkflowVersion.objects.filter(workflow_id=workflow_id).count() == 3


def test_versions_api_runs_record_the_version_they_ran(api: APIClient) -> None:
    workflow_id = _workflow_with_three_versions(api)
    started = _send(api, "post", "/v1/runs", {"workflowId": workflow_id})
    run_id = started.json()["id"]
    assert api.get(f"/v1/runs/{run_id}").json()["workflowVersion"] == 3
    assert api.get("/v1/runs").json()["results"][0]["workflowVersion"] == 3
    graph_run = _send(api, "post", "/v1/runs", {"graph": _graph()}).json()["id"]
    assert api.get(f"/v1/runs/{graph_run}").json()["workflowVersion"] is None


def test_failure_workflow_api_sets_clears_and_refuses_others(api: APIClient, other_api: APIClient) -> None:
    hook = _send(api, "post", "/v1/workflows", {"name": "Hook", "graph": _graph()}).json()["id"]
    theirs = _send(other_api, "post", "/v1/workflows", {"name": "Theirs", "graph": _graph()}).json()["id"]
    created = _send(api, "post", "/v1/workflows", {"name": "Main", "graph": _graph(), "failureWorkflowId": hook})
    assert created.status_code == 201 and created.json()["failureWorkflowId"] == hook
    main = created.json()["id"]
    for bad in (theirs, "00000000-0000-0000-0000-000000000000", 5):
        refused = _send(api, "patch", f"/v1/workflows/{main}", {"failureWorkflowId": bad})
        assert refused.status_code == 400 and "failureWorkflowId" in refused.json()["error"]["details"]
    assert api.get(f"/v1/workflows/{main}").json()["failureWorkflowId"] == hook
    itself = _send(api, "patch", f"/v1/workflows/{main}", {"failureWorkflowId": main})
    assert itself.status_code == 200 and itself.json()["failureWorkflowId"] == main
    cleared = _send(api, "patch", f"/v1/workflows/{main}", {"failureWorkflowId": None})
    assert cleared.json()["failureWorkflowId"] is None and cleared.json()["version"] == 1
