"""The starter workflows in examples/ load through the compiler and run against local Slack/Notion stand-ins."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.workflows.formats import read_import
from backend.workflows.graph import compile_graph
from tests.support.examples import example, run_example
from tests.support.inline import InlineDispatcher
from tests.support.samples import legacy_document
from tests.support.stub_server import Reply, SeenRequest, StubServer

NOTION_TOKEN = "secret_notion_test_token_0123456789"
DATABASE_ID = "5c6a2821-6bb1-4a7e-b6e1-c50111515c3d"


def _log_text(doc: dict[str, Any]) -> str:
    return "\n".join(f"[{line['level'].upper()}] {line['msg']}" for line in doc["logs"])


def _notion_file(base_url: str, database_id: str = DATABASE_ID) -> dict[str, Any]:
    file = example("notion-automation.json")
    file["nodes"][1]["data"]["config"]["url"] = f"{base_url}/v1/pages"
    file["vars"]["notionDatabaseId"] = database_id
    return file


def _notion(seen: SeenRequest) -> Reply:
    """Answers like Notion: 401 for a bad token, 400 for a missing version or unknown database, else a page."""
    if seen.header("authorization") != f"Bearer {NOTION_TOKEN}":
        return Reply(
            status=401,
            json={"object": "error", "status": 401, "code": "unauthorized", "message": "API token is invalid."},
        )
    if seen.header("notion-version") != "2022-06-28":
        return Reply(
            status=400,
            json={"object": "error", "status": 400, "code": "missing_version", "message": "Notion-Version missing"},
        )
    body = seen.json()
    if body["parent"]["database_id"] != DATABASE_ID:
        message = f"Could not find database with ID: {body['parent']['database_id']}."
        return Reply(
            status=400, json={"object": "error", "status": 400, "code": "validation_error", "message": message}
        )
    return Reply(
        json={
            "object": "page",
            "id": "59833787-2cf9-4fdf-8782-e53db20768a5",
            "parent": {"type": "database_id", "database_id": DATABASE_ID},
            "properties": body["properties"],
            "url": "https://www.notion.so/Launch-59833787",
        }
    )


@pytest.mark.parametrize("name", ["slack-notification.json", "notion-automation.json"])
def test_examples_load_through_the_compiler(name: str) -> None:
    imported = read_import(example(name))
    plan = compile_graph(imported.graph)
    assert plan["nodes"]
    text = json.dumps(example(name))
    assert "Bearer " not in text and "hooks.slack.com" not in text  # credential names only, never a value


def test_examples_slack_runs_against_webhook_stand_in(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    stub.route("POST", "/services/T000/B000/XXXXXXXX", body="ok")
    hook = f"{stub.url}/services/T000/B000/XXXXXXXX"
    assert (
        api.post(
            "/v1/credentials", {"name": "slackWebhook", "kind": "secret_text", "value": hook}, format="json"
        ).status_code
        == 201
    )
    doc = run_example(api, engine, example("slack-notification.json"), {"message": 'Deploy "v2" finished'})
    assert doc["status"] == "succeeded", _log_text(doc)
    [request] = stub.requests
    assert request.json() == {"text": 'Deploy "v2" finished'}
    assert request.header("content-type") == "application/json"
    assert "XXXXXXXX" not in json.dumps(doc)


def test_examples_slack_runs_from_operator_env_credential(
    api: APIClient, engine: InlineDispatcher, stub: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub.route("POST", "/services/T1/B1/ENVHOOK1", body="ok")
    monkeypatch.setenv("AUTOMATEOS_ENV_CREDENTIALS", "notionToken:NOTION_TOKEN,slackWebhook:SLACK_WEBHOOK")
    monkeypatch.setenv("SLACK_WEBHOOK", f"{stub.url}/services/T1/B1/ENVHOOK1")
    doc = run_example(api, engine, example("slack-notification.json"), {"message": "from env"})
    assert doc["status"] == "succeeded", _log_text(doc)
    assert stub.requests[0].json() == {"text": "from env"}


def test_examples_notion_creates_page(api: APIClient, engine: InlineDispatcher, stub: StubServer) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    api.post("/v1/credentials", {"name": "notionToken", "kind": "bearer_token", "value": NOTION_TOKEN}, format="json")
    doc = run_example(api, engine, _notion_file(stub.url), {"title": "Launch", "status": "Done"})
    assert doc["status"] == "succeeded", _log_text(doc)
    sent = stub.requests[0].json()
    assert sent["parent"] == {"database_id": DATABASE_ID}
    assert sent["properties"]["Name"]["title"][0]["text"]["content"] == "Launch"
    assert sent["properties"]["Status"] == {"select": {"name": "Done"}}
    notion_step = next(s for s in doc["steps"] if s["nodeId"] == "notion")
    assert notion_step["status"] == "succeeded"
    assert NOTION_TOKEN not in json.dumps(doc)


def test_examples_notion_bad_token_surfaces_401(api: APIClient, engine: InlineDispatcher, stub: StubServer) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    api.post(
        "/v1/credentials",
        {"name": "notionToken", "kind": "bearer_token", "value": "secret_wrong_token_000"},
        format="json",
    )
    doc = run_example(api, engine, _notion_file(stub.url), {"title": "Launch", "status": "Done"})
    assert doc["status"] == "failed"
    logs = _log_text(doc)
    assert "401" in logs and "API token is invalid." in logs
    assert "secret_wrong_token_000" not in json.dumps(doc)


def test_examples_notion_bad_database_surfaces_400(api: APIClient, engine: InlineDispatcher, stub: StubServer) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    api.post("/v1/credentials", {"name": "notionToken", "kind": "bearer_token", "value": NOTION_TOKEN}, format="json")
    doc = run_example(
        api, engine, _notion_file(stub.url, "REPLACE_WITH_DATABASE_ID"), {"title": "Launch", "status": "Done"}
    )
    assert doc["status"] == "failed"
    logs = _log_text(doc)
    assert "400" in logs and "Could not find database with ID: REPLACE_WITH_DATABASE_ID." in logs


def test_examples_notion_missing_credential_fails_before_request(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    doc = run_example(api, engine, _notion_file(stub.url), {"title": "Launch", "status": "Done"})
    assert doc["status"] == "failed"
    expected = "credential 'notionToken' not found (node \"Create Notion Page\", field auth.credentialName)"
    assert expected in _log_text(doc) or expected in json.dumps(doc)
    assert stub.requests == []


def test_examples_notion_missing_payload_field_names_node_and_field(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    api.post("/v1/credentials", {"name": "notionToken", "kind": "bearer_token", "value": NOTION_TOKEN}, format="json")
    doc = run_example(api, engine, _notion_file(stub.url), {"status": "Done"})
    assert doc["status"] == "failed"
    assert (
        'missing value for {{payload.title}} (node "Create Notion Page", '
        "field json_body.properties.Name.title[0].text.content)"
    ) in json.dumps(doc, ensure_ascii=False).replace('\\"', '"')
    assert stub.requests == []


def test_examples_legacy_definition_steps_keep_credentials_and_payload(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    stub.route("POST", "/tasks", status=201, json={"id": 1})
    api.post(
        "/v1/credentials",
        {"name": "tasksToken", "kind": "bearer_token", "value": "tasks-secret-0123456789"},
        format="json",
    )
    legacy = legacy_document(f"{stub.url}/tasks")
    doc = run_example(api, engine, legacy, {"title": "Write docs"})
    assert doc["status"] == "succeeded", _log_text(doc)
    [request] = stub.requests
    assert request.header("authorization") == "Bearer tasks-secret-0123456789"
    assert request.json() == {"title": "Write docs"}
    assert "tasks-secret" not in json.dumps(doc)
