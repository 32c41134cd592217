"""The Notion create-page node against a local stand-in answering like api.notion.com, error answers included."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import ValidationError
from rest_framework.test import APIClient

from backend.runs.models import RunEvent, Step
from tests.support.canary import CANARY, hidden_forms
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import Reply, SeenRequest, StubServer
from workers.executors.base import EngineLimits, NodeContext, NodeFailure
from workers.executors.notion import NotionPageConfig, NotionPageExecutor, database_id, property_value
from workers.executors.registry import SPECS

run = NotionPageExecutor().run
TOKEN = "secret_notion_unit_token_0123456789"
DATABASE = "5c6a28216bb14a7eb6e1c50111515c3d"
DATABASE_DASHED = "5c6a2821-6bb1-4a7e-b6e1-c50111515c3d"
PAGE_ID = "59833787-2cf9-4fdf-8782-e53db20768a5"
FAST = {"retry_backoff_s": 0.01}


@pytest.fixture
def notion() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


def _error(status: int, code: str, message: str, **headers: str) -> Reply:
    return Reply(
        status=status,
        json={"object": "error", "status": status, "code": code, "message": message},
        headers=dict(headers),
    )


def _notion_answer(token: str = TOKEN) -> Any:
    def answer(seen: SeenRequest) -> Reply:
        """Answers like POST /v1/pages: 401 bad token, 400 no version, 404 unknown database, else a page."""
        if seen.header("authorization") != f"Bearer {token}":
            return _error(401, "unauthorized", "API token is invalid.")
        if seen.header("notion-version") != "2022-06-28":
            return _error(400, "missing_version", "Notion-Version header failed validation.")
        body = seen.json()
        wanted = body["parent"]["database_id"]
        if wanted != DATABASE_DASHED:
            return _error(
                404,
                "object_not_found",
                f"Could not find database with ID: {wanted}. Make sure the relevant pages and databases "
                "are shared with your integration.",
            )
        return Reply(
            json={
                "object": "page",
                "id": PAGE_ID,
                "parent": {"type": "database_id", "database_id": DATABASE_DASHED},
                "properties": body["properties"],
                "url": "https://www.notion.so/Launch-5983378762cf94fdf8782e53db20768a5",
            }
        )

    return answer


def _ctx(
    config: dict[str, Any], lines: list[tuple[str, str, dict[str, Any]]] | None = None, token: str = TOKEN
) -> NodeContext:
    def log(level: str, message: str, data: Mapping[str, Any]) -> None:
        if lines is not None:
            lines.append((level, message, dict(data)))

    return NodeContext(
        run_id="run-1",
        node_id="page",
        label="Create page",
        config={"auth": {"credentialName": "notionToken"}, **config},
        auth_headers={"Authorization": f"Bearer {token}"},
        secret_headers=frozenset({"authorization"}),
        log=log,
        limits=EngineLimits(allow_private_networks=True),
        redact=lambda text: text.replace(token, "[redacted]"),
    )


def _config(base: str, **extra: Any) -> dict[str, Any]:
    return {"api_base": base, "database_id": DATABASE, "title": "Launch", **FAST, **extra}


# -- config ---------------------------------------------------------------------------------
def test_notion_is_registered_with_its_schema() -> None:
    spec = SPECS["notion_page"]
    assert spec.label == "Notion: create page" and spec.config_model is NotionPageConfig
    schema = NotionPageConfig.model_json_schema()
    assert set(schema["required"]) == {"auth", "database_id", "title"}
    assert schema["properties"]["api_base"]["default"] == "https://api.notion.com"
    assert schema["$defs"]["NotionProperty"]["properties"]["type"]["enum"] == [
        "select",
        "multi_select",
        "date",
        "number",
        "checkbox",
        "url",
        "rich_text",
    ]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("select", "Done", {"select": {"name": "Done"}}),
        ("select", "", {"select": None}),
        ("multi_select", "a, b ,a,", {"multi_select": [{"name": "a"}, {"name": "b"}]}),
        ("multi_select", ["x", "y"], {"multi_select": [{"name": "x"}, {"name": "y"}]}),
        ("date", "2026-12-24", {"date": {"start": "2026-12-24"}}),
        ("date", "2026-12-24T09:00:00+01:00", {"date": {"start": "2026-12-24T09:00:00+01:00"}}),
        ("date", "", {"date": None}),
        ("number", "12.5", {"number": 12.5}),
        ("number", 3, {"number": 3}),
        ("number", " 7 ", {"number": 7}),
        ("checkbox", "yes", {"checkbox": True}),
        ("checkbox", False, {"checkbox": False}),
        ("url", "https://example.com/x", {"url": "https://example.com/x"}),
        ("rich_text", "hello", {"rich_text": [{"text": {"content": "hello"}}]}),
        ("rich_text", 5, {"rich_text": [{"text": {"content": "5"}}]}),
    ],
)
def test_notion_property_values(kind: str, value: Any, expected: dict[str, Any]) -> None:
    assert property_value(kind, value) == expected


def test_notion_long_text_is_split_in_2000_character_pieces() -> None:
    pieces = property_value("rich_text", "x" * 4500)["rich_text"]
    assert [len(p["text"]["content"]) for p in pieces] == [2000, 2000, 500]


@pytest.mark.parametrize(
    ("kind", "value", "problem"),
    [
        ("number", "abc", '"abc" is not a number'),
        ("number", True, "true is not a number"),
        ("number", "nan", '"nan" is not a finite number'),
        ("checkbox", "maybe", '"maybe" is not true or false'),
        ("date", "24/12/2026", '"24/12/2026" is not an ISO 8601 date'),
        ("select", "a,b", "cannot hold a comma"),
        ("url", 5, "5 is not a URL"),
    ],
)
def test_notion_bad_values_say_why(kind: str, value: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        property_value(kind, value)


def test_notion_literal_bad_value_is_refused_at_save_naming_the_field() -> None:
    config = {
        "auth": {"credentialName": "notionToken"},
        "database_id": DATABASE,
        "title": "x",
        "properties": [
            {"name": "Status", "type": "select", "value": "Done"},
            {"name": "Points", "type": "number", "value": "abc"},
        ],
    }
    with pytest.raises(ValidationError, match=r'properties\[1\]\.value: "abc" is not a number'):
        NotionPageConfig.model_validate(config)
    config["properties"][1]["value"] = "{{payload.points}}"  # checked when the template has a value
    NotionPageConfig.model_validate(config)


def test_notion_property_set_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"properties\[0\]\.name: 'Name' is set twice"):
        NotionPageConfig.model_validate(
            {"auth": {"credentialName": "t"}, "database_id": "d", "title": "x", "properties": [{"name": "Name"}]}
        )


def test_notion_database_id_from_a_pasted_url() -> None:
    url = f"https://www.notion.so/acme/Tasks-{DATABASE}?v=0123456789abcdef0123456789abcdef"
    assert database_id(url) != DATABASE_DASHED  # the view id comes last: the id is the path's
    assert database_id(f"https://www.notion.so/acme/Tasks-{DATABASE}") == DATABASE_DASHED
    assert database_id(DATABASE_DASHED.upper()) == DATABASE_DASHED
    assert database_id("REPLACE_ME") == "REPLACE_ME"


# -- sending --------------------------------------------------------------------------------
def test_notion_creates_the_page_with_typed_properties(notion: StubServer) -> None:
    notion.route("POST", "/v1/pages", handler=_notion_answer())
    properties = [
        {"name": "Status", "type": "select", "value": "Done"},
        {"name": "Tags", "type": "multi_select", "value": "launch, q4"},
        {"name": "Due", "type": "date", "value": "2026-12-24"},
        {"name": "Points", "type": "number", "value": "5"},
        {"name": "Shipped", "type": "checkbox", "value": "true"},
        {"name": "Link", "type": "url", "value": "https://example.com"},
        {"name": "Notes", "type": "rich_text", "value": 'said "hi"'},
    ]
    lines: list[tuple[str, str, dict[str, Any]]] = []
    result = run(_ctx(_config(notion.url, title_property="Task", properties=properties), lines))
    assert result.output == {
        "status": 200,
        "page_id": PAGE_ID,
        "url": "https://www.notion.so/Launch-5983378762cf94fdf8782e53db20768a5",
    }
    [seen] = notion.requests
    assert seen.header("content-type") == "application/json"
    assert "idempotency-key" not in seen.headers
    assert seen.json() == {
        "parent": {"database_id": DATABASE_DASHED},
        "properties": {
            "Task": {"title": [{"text": {"content": "Launch"}}]},
            "Status": {"select": {"name": "Done"}},
            "Tags": {"multi_select": [{"name": "launch"}, {"name": "q4"}]},
            "Due": {"date": {"start": "2026-12-24"}},
            "Points": {"number": 5},
            "Shipped": {"checkbox": True},
            "Link": {"url": "https://example.com"},
            "Notes": {"rich_text": [{"text": {"content": 'said "hi"'}}]},
        },
    }
    assert lines[0][1] == f"POST {notion.url}/v1/pages"
    assert TOKEN not in repr(lines)


def test_notion_bad_value_at_run_time_names_node_and_field(notion: StubServer) -> None:
    properties = [
        {"name": "Status", "type": "select", "value": "Done"},
        {"name": "Points", "type": "number", "value": "abc"},
    ]
    with pytest.raises(NodeFailure) as caught:
        run(_ctx(_config(notion.url, properties=properties)))
    assert caught.value.message == (
        'node "Create page": invalid Notion config: properties[1].value: "abc" is not a number'
    )
    assert notion.requests == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            _error(
                400,
                "validation_error",
                "body failed validation: body.properties.Status.select.name should be a string.",
            ),
            'node "Create page": Notion: validation_error: body failed validation: '
            "body.properties.Status.select.name should be a string. [HTTP 400]",
        ),
        (
            _error(404, "object_not_found", f"Could not find database with ID: {DATABASE_DASHED}."),
            f'node "Create page": Notion: object_not_found: Could not find database with ID: {DATABASE_DASHED}. '
            "(is the database shared with the integration (··· → Connections)?) [HTTP 404]",
        ),
        (
            _error(401, "unauthorized", "API token is invalid."),
            'node "Create page": Notion: unauthorized: API token is invalid. (check the token in the credential) '
            "[HTTP 401]",
        ),
        (
            Reply(status=502, body="<html>Bad gateway</html>"),
            'node "Create page": Notion answered HTTP 502 Bad Gateway: <html>Bad gateway</html>',
        ),
    ],
)
def test_notion_error_answers_become_clear_step_errors(notion: StubServer, reply: Reply, expected: str) -> None:
    notion.route("POST", "/v1/pages", replies=[reply])
    with pytest.raises(NodeFailure) as caught:
        run(_ctx(_config(notion.url)))
    assert caught.value.message == expected
    assert len(notion.requests) == 1  # not re-sent: a create may have happened


def test_notion_unknown_database_from_the_stand_in(notion: StubServer) -> None:
    notion.route("POST", "/v1/pages", handler=_notion_answer())
    with pytest.raises(NodeFailure, match="Notion: object_not_found: Could not find database with ID: replace_me"):
        run(_ctx(_config(notion.url, database_id="replace_me")))


def test_notion_rate_limited_honours_retry_after(notion: StubServer) -> None:
    notion.route(
        "POST",
        "/v1/pages",
        replies=[
            _error(
                429,
                "rate_limited",
                "You have been rate limited. Please try again in a few minutes.",
                **{"Retry-After": "1"},
            ),
            Reply(handler=_notion_answer()),
        ],
    )
    lines: list[tuple[str, str, dict[str, Any]]] = []
    assert run(_ctx(_config(notion.url), lines)).output["page_id"] == PAGE_ID
    first, second = notion.requests
    assert second.at - first.at >= 0.9
    assert any("retrying in 1.0s" in message for level, message, _ in lines if level == "warn")


def test_notion_rate_limit_that_persists_fails_clearly(notion: StubServer) -> None:
    notion.route("POST", "/v1/pages", replies=[_error(429, "rate_limited", "Slow down.", **{"Retry-After": "0"})])
    with pytest.raises(NodeFailure) as caught:
        run(_ctx(_config(notion.url, retries=1)))
    assert caught.value.message == (
        'node "Create page": Notion: rate_limited: Slow down. (Notion is rate-limiting this integration) [HTTP 429]'
    )
    assert caught.value.output == {"status": 429, "code": "rate_limited", "message": "Slow down."}
    assert len(notion.requests) == 2


def test_notion_echoed_token_is_redacted_in_the_error(notion: StubServer) -> None:
    notion.route("POST", "/v1/pages", replies=[_error(400, "validation_error", f"bad token {TOKEN}")])
    with pytest.raises(NodeFailure) as caught:
        run(_ctx(_config(notion.url)))
    assert TOKEN not in caught.value.message and TOKEN not in json.dumps(caught.value.output)


def test_notion_network_error_names_the_node() -> None:
    with pytest.raises(NodeFailure) as caught:
        run(_ctx(_config("http://127.0.0.1:9", retries=0)))
    assert caught.value.message.startswith('node "Create page": network error calling POST http://127.0.0.1:9/v1/pages')


def test_notion_without_a_token_fails_before_sending(notion: StubServer) -> None:
    ctx = _ctx(_config(notion.url))
    ctx.auth_headers = {}
    with pytest.raises(NodeFailure, match=r"auth\.credentialName: no Notion token"):
        run(ctx)
    assert notion.requests == []


# -- through the engine: the token stays secret ----------------------------------------------
def _notion_file(base: str, properties: list[dict[str, Any]]) -> dict[str, Any]:
    config = {
        "auth": {"credentialName": "notionToken"},
        "api_base": base,
        "database_id": "{{vars.db}}",
        "title": "{{payload.title}}",
        "properties": properties,
    }
    return {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "data": {"label": "Start", "config": {}}},
            {
                "id": "page",
                "type": "notion_page",
                "position": {"x": 200, "y": 0},
                "data": {"label": "Page", "config": config},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "page"}],
        "vars": {"db": DATABASE},
        "meta": {"name": "Notion canary", "version": 1},
    }


@pytest.mark.parametrize("outcome", ["page", "bad value", "echoing error"])
def test_notion_token_never_reaches_output_error_or_events(
    api: APIClient, inline_dispatcher: InlineDispatcher, notion: StubServer, outcome: str
) -> None:
    if outcome == "echoing error":  # a careless service quoting the token it was sent
        notion.route("POST", "/v1/pages", replies=[_error(401, "unauthorized", f"token {CANARY} is invalid")])
    else:
        notion.route("POST", "/v1/pages", handler=_notion_answer(CANARY))
    created = api.post(
        "/v1/credentials", {"name": "notionToken", "kind": "bearer_token", "value": CANARY}, format="json"
    )
    assert created.status_code == 201
    points = "{{payload.points}}"
    workflow = api.post(
        "/v1/workflows",
        _notion_file(notion.url, [{"name": "Points", "type": "number", "value": points}]),
        format="json",
    )
    assert workflow.status_code == 201, workflow.content
    payload = {"title": "Launch", "points": "abc" if outcome == "bad value" else 3}
    started = api.post("/v1/runs", {"workflowId": workflow.json()["id"], "payload": payload}, format="json")
    run_id = started.json()["runId"]
    inline_dispatcher.drain()
    doc = api.get(f"/v1/runs/{run_id}").json()
    step = Step.objects.get(run_id=run_id, node_id="page")
    if outcome == "page":
        assert doc["status"] == "succeeded"
        assert step.output["page_id"] == PAGE_ID
        assert notion.requests[0].json()["properties"]["Points"] == {"number": 3}
    elif outcome == "bad value":
        assert doc["status"] == "failed" and notion.requests == []
        assert step.error == 'node "Page": invalid Notion config: properties[0].value: "abc" is not a number'
    else:
        assert doc["status"] == "failed"
        assert (step.error or "").startswith('node "Page": Notion: unauthorized: token ')
    stored = json.dumps(
        [doc, step.config, step.output, step.error, list(RunEvent.objects.values_list("message", "data"))],
        default=str,
    )
    for form in hidden_forms(CANARY):
        assert form not in stored, f"token canary form {form!r} leaked"
