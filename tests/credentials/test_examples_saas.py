"""The starter workflows of the typed Slack and Notion nodes run against local stand-ins of both services."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.models import RunEvent, Step
from backend.workflows.formats import read_import
from backend.workflows.graph import compile_graph
from tests.support.examples import EXAMPLES, example, run_example
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import Reply, SeenRequest, StubServer

HOOK = "/services/T0SAAS/B0SAAS/typedHookSecret0123"
NOTION_TOKEN = "secret_typed_notion_token_0123456789"
DATABASE_ID = "5c6a2821-6bb1-4a7e-b6e1-c50111515c3d"
PAGE = {"object": "page", "id": "59833787-2cf9-4fdf-8782-e53db20768a5", "url": "https://www.notion.so/Launch-59833787"}
NOTION_PAYLOAD = {
    "title": "Launch",
    "status": "Doing",
    "tags": "web, q4",
    "due": "2026-12-24",
    "estimate": 3,
    "urgent": True,
}


def _stored(doc: dict[str, Any]) -> str:
    """Everything the run left behind: the run document, its steps and its events."""
    steps = list(Step.objects.filter(run_id=doc["id"]).values("config", "output", "error"))
    events = list(RunEvent.objects.filter(run_id=doc["id"]).values_list("message", "data"))
    return json.dumps([doc, steps, events], default=str)


def _step(doc: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(s for s in doc["steps"] if s["nodeId"] == node_id)


@pytest.mark.parametrize("name", ["slack-typed-message.json", "notion-typed-page.json"])
def test_examples_saas_load_compile_and_are_listed(name: str) -> None:
    plan = compile_graph(read_import(example(name)).graph)
    assert [n["kind"] for n in plan["nodes"]] == ["start", "slack" if name.startswith("slack") else "notion_page"]
    text = json.dumps(example(name))
    assert "Bearer " not in text and "hooks.slack.com" not in text
    assert f"`{name}`" in (EXAMPLES / "README.md").read_text()


def test_examples_saas_notion_automation_is_unchanged() -> None:
    nodes = example("notion-automation.json")["nodes"]
    assert [n["type"] for n in nodes] == ["start", "http"]


# -- Slack -------------------------------------------------------------------------------------
def _slack_setup(api: APIClient, stub: StubServer) -> None:
    value = stub.url + HOOK
    created = api.post(
        "/v1/credentials", {"name": "slackWebhook", "kind": "secret_text", "value": value}, format="json"
    )
    assert created.status_code == 201


def _slack_answer(seen: SeenRequest) -> Reply:
    message = seen.json()
    return Reply(body="ok") if isinstance(message, dict) and message.get("text") else Reply(status=400, body="no_text")


def test_examples_saas_slack_posts_blocks(api: APIClient, engine: InlineDispatcher, stub: StubServer) -> None:
    stub.route("POST", HOOK, handler=_slack_answer)
    _slack_setup(api, stub)
    doc = run_example(api, engine, example("slack-typed-message.json"), {"title": "Deploy", "message": 'v2 is "live"'})
    assert doc["status"] == "succeeded", doc
    [seen] = stub.requests
    sent = seen.json()
    assert sent["text"] == 'v2 is "live"'
    assert sent["blocks"][0] == {"type": "section", "text": {"type": "mrkdwn", "text": '*Deploy*\nv2 is "live"'}}
    assert Step.objects.get(run_id=doc["id"], node_id="slack").output == {"status": 200, "ok": True}
    assert "typedHookSecret0123" not in _stored(doc)


@pytest.mark.parametrize(
    ("status", "code", "why"),
    [
        (404, "channel_not_found", "the webhook's channel no longer exists"),
        (410, "channel_is_archived", "the webhook's channel is archived"),
        (403, "no_service", "the webhook was disabled, removed or is wrong"),
    ],
)
def test_examples_saas_slack_refusal_is_explained(
    api: APIClient, engine: InlineDispatcher, stub: StubServer, status: int, code: str, why: str
) -> None:
    stub.route("POST", HOOK, status=status, body=code)
    _slack_setup(api, stub)
    doc = run_example(api, engine, example("slack-typed-message.json"), {"title": "t", "message": "m"})
    assert doc["status"] == "failed"
    error = Step.objects.get(run_id=doc["id"], node_id="slack").error or ""
    assert error.startswith(f'node "Post to Slack": Slack refused the message: {code} ({why}')
    assert "typedHookSecret0123" not in _stored(doc)


def test_examples_saas_slack_missing_credential_fails_before_sending(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    doc = run_example(api, engine, example("slack-typed-message.json"), {"title": "t", "message": "m"})
    assert doc["status"] == "failed"
    assert "credential 'slackWebhook' not found" in (Step.objects.get(run_id=doc["id"], node_id="slack").error or "")
    assert stub.requests == []


# -- Notion ------------------------------------------------------------------------------------
def _notion_file(base_url: str, database: str = DATABASE_ID) -> dict[str, Any]:
    file = example("notion-typed-page.json")
    file["nodes"][1]["data"]["config"]["api_base"] = base_url
    file["vars"]["notionDatabaseId"] = database
    return file


def _notion(seen: SeenRequest) -> Reply:
    """Answers like Notion: 401 for a bad token, 400 without the version, 404 for another database, else a page."""

    def error(status: int, code: str, message: str) -> Reply:
        return Reply(status=status, json={"object": "error", "status": status, "code": code, "message": message})

    if seen.header("authorization") != f"Bearer {NOTION_TOKEN}":
        return error(401, "unauthorized", "API token is invalid.")
    if seen.header("notion-version") != "2022-06-28":
        return error(400, "missing_version", "Notion-Version header failed validation.")
    wanted = seen.json()["parent"]["database_id"]
    if wanted != DATABASE_ID:
        return error(404, "object_not_found", f"Could not find database with ID: {wanted}.")
    return Reply(json={**PAGE, "properties": seen.json()["properties"]})


def _token(api: APIClient, value: str = NOTION_TOKEN) -> None:
    created = api.post(
        "/v1/credentials", {"name": "notionToken", "kind": "bearer_token", "value": value}, format="json"
    )
    assert created.status_code == 201


def test_examples_saas_notion_creates_typed_page(api: APIClient, engine: InlineDispatcher, stub: StubServer) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    _token(api)
    doc = run_example(api, engine, _notion_file(stub.url), NOTION_PAYLOAD)
    assert doc["status"] == "succeeded", doc
    [seen] = stub.requests
    assert seen.json() == {
        "parent": {"database_id": DATABASE_ID},
        "properties": {
            "Name": {"title": [{"text": {"content": "Launch"}}]},
            "Status": {"select": {"name": "Doing"}},
            "Tags": {"multi_select": [{"name": "web"}, {"name": "q4"}]},
            "Due": {"date": {"start": "2026-12-24"}},
            "Estimate": {"number": 3},
            "Urgent": {"checkbox": True},
        },
    }
    output = Step.objects.get(run_id=doc["id"], node_id="notion").output
    assert output == {"status": 200, "page_id": PAGE["id"], "url": PAGE["url"]}
    assert _step(doc, "notion")["status"] == "succeeded"
    assert NOTION_TOKEN not in _stored(doc)


def test_examples_saas_notion_takes_the_database_url(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    _token(api)
    url = f"https://www.notion.so/acme/Tasks-{DATABASE_ID.replace('-', '')}"
    doc = run_example(api, engine, _notion_file(stub.url, url), NOTION_PAYLOAD)
    assert doc["status"] == "succeeded", doc


def test_examples_saas_notion_unknown_database(api: APIClient, engine: InlineDispatcher, stub: StubServer) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    _token(api)
    doc = run_example(api, engine, _notion_file(stub.url, "REPLACE_WITH_DATABASE_ID"), NOTION_PAYLOAD)
    assert doc["status"] == "failed"
    error = Step.objects.get(run_id=doc["id"], node_id="notion").error or ""
    assert error.startswith(
        'node "Create Notion Page": Notion: object_not_found: '
        "Could not find database with ID: REPLACE_WITH_DATABASE_ID."
    )


def test_examples_saas_notion_bad_token(api: APIClient, engine: InlineDispatcher, stub: StubServer) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    _token(api, "secret_wrong_typed_token_000")
    doc = run_example(api, engine, _notion_file(stub.url), NOTION_PAYLOAD)
    assert doc["status"] == "failed"
    assert "Notion: unauthorized: API token is invalid." in (
        Step.objects.get(run_id=doc["id"], node_id="notion").error or ""
    )
    assert "secret_wrong_typed_token_000" not in _stored(doc)


def test_examples_saas_notion_bad_value_names_node_and_field(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    stub.route("POST", "/v1/pages", handler=_notion)
    _token(api)
    doc = run_example(api, engine, _notion_file(stub.url), {**NOTION_PAYLOAD, "estimate": "abc"})
    assert doc["status"] == "failed"
    assert Step.objects.get(run_id=doc["id"], node_id="notion").error == (
        'node "Create Notion Page": invalid Notion config: properties[3].value: "abc" is not a number'
    )
    assert stub.requests == []


def test_examples_saas_notion_rate_limited_then_created(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    limited = Reply(
        status=429,
        headers={"Retry-After": "1"},
        json={"object": "error", "status": 429, "code": "rate_limited", "message": "You have been rate limited."},
    )
    stub.route("POST", "/v1/pages", replies=[limited, Reply(handler=_notion)])
    _token(api)
    doc = run_example(api, engine, _notion_file(stub.url), NOTION_PAYLOAD)
    assert doc["status"] == "succeeded", doc
    first, second = stub.requests
    assert second.at - first.at >= 0.9
