"""Request bodies PostgreSQL would refuse (NUL, lone surrogates) or that nest too deep are 400s at parse
time, with the field path, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.api.parsers import MAX_JSON_DEPTH
from backend.credentials.models import Credential
from backend.runs.models import Run
from backend.workflows.models import Workflow
from tests.support.graphs import builder_file, chain, http_node, start_node

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("discard_dispatch")]

URL = "http://127.0.0.1:9/never-called"


def _graph(label: str = "Ping") -> dict[str, Any]:
    return builder_file([start_node(), http_node("ping", URL, label=label)], chain("start", "ping"))


def _raw(api: APIClient, path: str, raw: str) -> Any:
    return api.generic("POST", path, raw, content_type="application/json")


def _nothing_stored() -> bool:
    return not (Run.objects.exists() or Workflow.objects.exists() or Credential.objects.exists())


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["requestId"] == response["X-Request-ID"]
    return error


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/runs", {"graph": _graph(), "payload": {"a": "x\u0000y"}}, "payload.a"),
        ("/v1/runs", {"graph": _graph(), "payload": {"a\u0000": 1}}, 'payload["a\\u0000"]'),
        ("/v1/runs", {"graph": _graph(), "payload": {"list": [1, ["ok", "\u0000"]]}}, "payload.list[1][1]"),
        ("/v1/runs", {"graph": _graph(label="L\u0000")}, "graph.nodes[1].data.label"),
        ("/v1/workflows", {"name": "a\u0000b", "graph": _graph()}, "name"),
        ("/v1/workflows", {"name": "w", "graph": _graph(label="L\u0000")}, "graph.nodes[1].data.label"),
        ("/v1/credentials", {"name": "n1", "kind": "secret_text", "value": "ab\u0000cdefghijklmnop"}, "value"),
        ("/v1/runs", {"graph": _graph(), "payload": {"a": "\ud800"}}, "payload.a"),
    ],
)
def test_parser_unstorable_text_is_400_naming_path_and_nothing_stored(
    api: APIClient, path: str, body: dict[str, Any], field: str
) -> None:
    error = _error(_raw(api, path, json.dumps(body)), 400, "invalid_text")
    assert error["details"]["errors"][0]["path"] == field
    assert error["details"]["errors"][0]["code"] == "invalid_text"
    assert field in error["message"]
    assert _nothing_stored()


def test_parser_unstorable_text_error_never_echoes_the_value(api: APIClient) -> None:
    secret = "sk_live_CANARY_0123456789\u0000"
    response = _raw(api, "/v1/credentials", json.dumps({"name": "n1", "kind": "secret_text", "value": secret}))
    _error(response, 400, "invalid_text")
    assert "CANARY" not in response.content.decode()


def test_parser_accepts_escaped_surrogate_pairs_and_nul_lookalikes(api: APIClient) -> None:
    # An emoji as a \ud83d\ude00 pair (json.dumps' default) and a literal backslash-u0000 are fine text.
    payload = {"emoji": "\U0001f600", "text": "\\u0000"}
    response = _raw(api, "/v1/runs", json.dumps({"graph": _graph(), "payload": payload}))
    assert response.status_code == 201, response.content
    assert Run.objects.get(pk=response.json()["id"]).payload == payload


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


def test_parser_accepts_nesting_up_to_the_limit(api: APIClient) -> None:
    # The body is level 1, `payload` level 2: MAX_JSON_DEPTH - 1 objects inside it reach the limit.
    payload = _nested(MAX_JSON_DEPTH - 1)
    response = _raw(api, "/v1/runs", json.dumps({"graph": _graph(), "payload": payload}))
    assert response.status_code == 201, response.content
    assert Run.objects.get(pk=response.json()["id"]).payload == payload


def test_parser_nesting_past_the_limit_is_400_with_path(api: APIClient) -> None:
    response = _raw(api, "/v1/runs", json.dumps({"graph": _graph(), "payload": _nested(MAX_JSON_DEPTH)}))
    error = _error(response, 400, "nesting_too_deep")
    assert error["details"]["limit"] == MAX_JSON_DEPTH
    assert error["details"]["errors"][0]["path"] == "payload" + ".a" * (MAX_JSON_DEPTH - 1)
    assert _nothing_stored()


@pytest.mark.parametrize(
    "raw",
    [
        '{"graph": ' + "[" * 50_000 + "]" * 50_000 + "}",  # 100 KB of brackets: past the recursion limit
        '{"graph": ' + json.dumps(_graph()) + ', "payload": ' + '{"a":' * 3000 + "1" + "}" * 3000 + "}",
        "[" * 50_000,  # deep and malformed
    ],
    ids=["brackets", "payload", "unclosed"],
)
def test_parser_very_deep_json_is_400_not_500(api: APIClient, raw: str) -> None:
    for path in ("/v1/runs", "/v1/workflows"):
        error = _error(_raw(api, path, raw), 400, "nesting_too_deep")
        assert error["details"]["limit"] == MAX_JSON_DEPTH
    assert _nothing_stored()


@pytest.mark.parametrize("number", ["1e400", "-1e999", "1.5e309"])
@pytest.mark.parametrize("path", ["/v1/runs", "/v1/workflows", "/v1/credentials"])
def test_parser_number_too_large_for_a_float_is_400_and_nothing_stored(api: APIClient, path: str, number: str) -> None:
    graph = json.dumps({"nodes": [{"id": "start", "type": "start"}], "edges": []})
    raw = f'{{"graph": {graph}, "name": "n", "payload": {{"a": {number}}}}}'
    error = _error(_raw(api, path, raw), 400, "parse_error")
    assert number in error["message"] and "too large" in error["message"]
    assert _nothing_stored()


def test_parser_keeps_large_finite_numbers(api: APIClient) -> None:
    graph = {"nodes": [{"id": "start", "type": "start"}], "edges": []}
    raw = f'{{"graph": {json.dumps(graph)}, "payload": {{"big": 1.7e308, "int": {"9" * 400}}}}}'
    response = _raw(api, "/v1/runs", raw)
    assert response.status_code == 201, response.content
    assert float(Run.objects.get().payload["big"]) == 1.7e308
