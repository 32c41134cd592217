"""Property-based fuzz of every API body: whatever a client sends, the answer is never a 5xx and every
error is in the error shape `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from backend.accounts.models import ApiToken
from backend.credentials.models import Credential
from backend.credentials.services import credential_create
from backend.runs.models import Run
from backend.runs.services import run_start
from backend.workflows.models import Workflow
from backend.workflows.services import workflow_create
from tests.support.fuzz import FUZZ
from tests.support.graphs import chain, http_node, start_node

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("discard_dispatch")]

# Graphs get more examples: most of what can go wrong sits in node ids, labels and configs.
GRAPH_FUZZ = settings(FUZZ, max_examples=150)

# Strings that have broken storage or HTTP before: over the column limits, control characters,
# non-ASCII, the text PostgreSQL refuses, URL and header traps.
NASTY_TEXT = [
    "",
    " ",
    "a" * 101,
    "b" * 201,
    "c" * 257,
    "d" * 10_001,
    "tab\there",
    "line\nbreak",
    "cr\rlf",
    "nul\x00byte",
    "bell\x07",
    "del\x7f",
    "é",
    "日本語",
    "emoji 🎉",
    "rtl\u202eoverride",
    "zero\u200bwidth",
    "http://0127.0.0.1/",
    "http://127.0.0.1:99999/",
    "http://x.test/a\nb",
    "https://{{payload.host}}/p",
    "{{getCredential('nope')}}",
    "{{",
    "}}",
    "null",
    "[]",
    "{}",
    "0",
    "00000000-0000-0000-0000-000000000000",
]
texts = st.text(max_size=30) | st.sampled_from(NASTY_TEXT)
scalars = st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63) | st.floats(allow_nan=False) | texts
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=15,
)

node_ids = st.sampled_from(["start", "a", "b", "x" * 200, "y" * 201, "id\nline", "ctl\x01", "é", ""]) | json_values
labels = texts | json_values
header_maps = st.dictionaries(
    st.sampled_from(["X-Ok", "Content-Length", "Host", "Transfer-Encoding", "X-Ü", "bad name", "", "X\r\nY"]) | texts,
    st.sampled_from(["v", "ü", "a\nb", " padded ", "nul\x00", "x" * 9000]) | texts | json_values,
    max_size=3,
)
http_configs = st.fixed_dictionaries(
    {"url": st.sampled_from(["http://x.test/", "http://0127.0.0.1/", "http://x.test/a\nb", "ftp://x"]) | texts},
    optional={
        "method": st.sampled_from(["GET", "POST", "get", "TRACE"]) | json_values,
        "headers": header_maps | json_values,
        "body": texts | json_values,
        "json_body": json_values,
        "auth": st.fixed_dictionaries({"credentialName": texts}) | json_values,
        "timeout_s": json_values,
        "retries": json_values,
        "retry_backoff_s": json_values,
        "idempotency": json_values,
        "follow_redirects": json_values,
    },
)
nodes = st.fixed_dictionaries(
    {"id": node_ids, "type": st.sampled_from(["start", "http", "http_request_node", "nope"]) | json_values},
    optional={
        "config": http_configs | json_values,
        "label": labels,
        "data": st.fixed_dictionaries({}, optional={"label": labels, "config": http_configs | json_values})
        | json_values,
        "position": st.fixed_dictionaries({"x": json_values, "y": json_values}) | json_values,
    },
)
edges = st.fixed_dictionaries(
    {"source": node_ids, "target": node_ids},
    optional={"id": texts | json_values, "sourceHandle": json_values, "data": json_values},
)
graphs = st.fixed_dictionaries(
    {"nodes": st.lists(nodes, max_size=4) | json_values, "edges": st.lists(edges, max_size=4) | json_values},
    optional={"vars": st.dictionaries(texts, json_values, max_size=3) | json_values, "meta": json_values},
)
builder_files = st.fixed_dictionaries(
    {"nodes": st.lists(nodes, max_size=4), "edges": st.lists(edges, max_size=3)},
    optional={
        "meta": st.fixed_dictionaries({}, optional={"name": texts | json_values, "version": json_values}),
        "metadata": json_values,
        "vars": json_values,
    },
)
ID_POOL = ["a", "b", "x" * 200, "y" * 201, "z" * 5000, "id\nline", "ctl\x01", "é", "sp ace"]
VALID_URL = "http://x.test/p"
URL_POOL = ["http://x.test/p", "https://x.test/{{payload.p}}", "http://0127.0.0.1/", "http://x.test/a\nb"]


@st.composite
def near_valid_graphs(draw: st.DrawFn) -> dict[str, Any]:
    """A start node and a few HTTP nodes, each valid but for at most one odd id, label, URL or
    header: the shapes that get past the type checks and reach the database and the HTTP client."""
    built: list[dict[str, Any]] = [{"id": "start", "type": "start", "config": {}}]
    for index in range(draw(st.integers(1, 3))):
        spoil = draw(st.sampled_from(["nothing", "id", "label", "url", "headers", "body"]))
        node_id = draw(st.sampled_from(ID_POOL)) + str(index) if spoil == "id" else f"n{index}"
        config: dict[str, Any] = {"url": draw(st.sampled_from(URL_POOL) | texts) if spoil == "url" else VALID_URL}
        if spoil == "headers":
            config["headers"] = draw(header_maps)
        if spoil == "body":
            config["body"] = draw(texts)
        node: dict[str, Any] = {"id": node_id, "type": "http", "config": config}
        if spoil == "label":
            node["label"] = draw(texts)
        built.append(node)
    links = [{"id": f"e{i}", "source": "start", "target": n["id"]} for i, n in enumerate(built[1:])]
    return {"nodes": built, "edges": links}


legacy_files = st.fixed_dictionaries(
    {"definition": st.fixed_dictionaries({"steps": st.lists(json_values, max_size=3) | json_values}) | json_values},
    optional={"name": texts | json_values, "description": texts | json_values},
)


def _objects(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Objects with any subset of the endpoint's fields, an unknown one now and then, or any JSON value."""
    return st.fixed_dictionaries({}, optional={**fields, "unexpected": json_values}) | json_values


run_bodies = _objects(
    {
        "graph": near_valid_graphs() | graphs | json_values,
        "workflowId": st.sampled_from(["00000000-0000-0000-0000-000000000000", "not-a-uuid"]) | json_values,
        "payload": json_values,
        "trigger": texts | json_values,
    }
)
workflow_bodies = (
    _objects(
        {
            "name": texts | json_values,
            "graph": graphs | builder_files | json_values,
            "description": texts | json_values,
            "vars": st.dictionaries(texts, json_values, max_size=3) | json_values,
        }
    )
    | st.fixed_dictionaries({"name": texts, "graph": near_valid_graphs()})
    | builder_files
    | legacy_files
)
credential_bodies = _objects(
    {
        "name": texts | json_values,
        "kind": st.sampled_from(["bearer_token", "api_key_header", "basic_auth", "secret_text"]) | json_values,
        "value": texts | json_values,
        "options": st.fixed_dictionaries({}, optional={"headerName": texts | json_values}) | json_values,
    }
)
token_bodies = _objects({"name": texts | json_values})
vault_bodies = _objects(
    {
        "passphrase": texts | json_values,
        "currentPassphrase": texts | json_values,
        "confirm": texts | st.just("delete my protected credentials"),
    }
)


def _assert_clean(response: Any) -> None:
    """Never a 5xx; an error is in the error shape."""
    assert response.status_code < 500, (response.status_code, response.content[:500])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        error = body["error"]
        assert {"code", "message", "details"} <= set(error), error
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]


def _send(api: APIClient, method: str, url: str, body: Any) -> Any:
    call: Callable[..., Any] = getattr(api, method)
    return call(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def saved(user: Any) -> dict[str, str]:
    """Ids of one workflow, one run and one credential of `user`, for the detail endpoints."""
    graph = {"nodes": [start_node(), http_node("ping", "http://x.test/")], "edges": chain("start", "ping")}
    workflow = workflow_create(owner=user, name="Fuzzed", graph=graph)
    run, _ = run_start(owner=user, graph=graph)
    credential = credential_create(owner=user, name="fuzzed", kind="bearer_token", value="s3cret-value")
    return {"workflow": str(workflow.pk), "run": str(run.pk), "credential": str(credential.pk)}


@FUZZ
@given(body=run_bodies)
def test_fuzz_run_start_never_5xx(api: APIClient, body: Any) -> None:
    _assert_clean(_send(api, "post", "/v1/runs", body))


@GRAPH_FUZZ
@given(graph=near_valid_graphs() | graphs, payload=st.none() | st.dictionaries(texts, json_values, max_size=3))
def test_fuzz_run_graph_never_5xx(api: APIClient, graph: Any, payload: Any) -> None:
    body = {"graph": graph} if payload is None else {"graph": graph, "payload": payload}
    _assert_clean(_send(api, "post", "/v1/runs", body))


@GRAPH_FUZZ
@given(graph=near_valid_graphs() | graphs, name=texts)
def test_fuzz_saved_workflow_graph_never_5xx(api: APIClient, graph: Any, name: str) -> None:
    """Whatever a save accepts also runs: a stored graph never makes a run a 5xx."""
    saved = _send(api, "post", "/v1/workflows", {"name": name, "graph": graph})
    _assert_clean(saved)
    if saved.status_code == 201:
        _assert_clean(_send(api, "post", "/v1/runs", {"workflowId": saved.json()["id"]}))
        _assert_clean(api.get(f"/v1/workflows/{saved.json()['id']}/export"))


@FUZZ
@given(body=workflow_bodies)
def test_fuzz_workflow_create_never_5xx(api: APIClient, body: Any) -> None:
    _assert_clean(_send(api, "post", "/v1/workflows", body))


@FUZZ
@given(method=st.sampled_from(["put", "patch"]), body=workflow_bodies)
def test_fuzz_workflow_update_never_5xx(api: APIClient, saved: dict[str, str], method: str, body: Any) -> None:
    _assert_clean(_send(api, method, f"/v1/workflows/{saved['workflow']}", body))


@FUZZ
@given(body=credential_bodies)
def test_fuzz_credential_create_never_5xx(api: APIClient, body: Any) -> None:
    _assert_clean(_send(api, "post", "/v1/credentials", body))


@FUZZ
@given(body=credential_bodies)
def test_fuzz_credential_update_never_5xx(api: APIClient, saved: dict[str, str], body: Any) -> None:
    _assert_clean(_send(api, "patch", f"/v1/credentials/{saved['credential']}", body))


@FUZZ
@given(body=token_bodies)
def test_fuzz_token_create_never_5xx(api: APIClient, body: Any) -> None:
    response = _send(api, "post", "/v1/tokens", body)
    _assert_clean(response)
    if not isinstance(body, dict):
        assert response.status_code == 400


@FUZZ
@given(
    body=vault_bodies,
    call=st.sampled_from(
        [("put", "passphrase"), ("delete", "passphrase"), ("post", "unlock"), ("post", "lock"), ("post", "reset")]
    ),
)
def test_fuzz_vault_endpoints_never_5xx(
    api: APIClient, monkeypatch: pytest.MonkeyPatch, body: Any, call: tuple[str, str]
) -> None:
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "vault", None)  # every example reaches the checks
    method, path = call
    _assert_clean(_send(api, method, f"/v1/vault/{path}", body))
    _assert_clean(api.get("/v1/vault"))


@FUZZ
@given(body=json_values, path=st.sampled_from(["cancel", "events", ""]))
def test_fuzz_run_detail_endpoints_never_5xx(api: APIClient, saved: dict[str, str], body: Any, path: str) -> None:
    url = f"/v1/runs/{saved['run']}/{path}".rstrip("/")
    for method in ("post", "put", "patch", "delete"):
        _assert_clean(_send(api, method, url, body))


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["page", "pageSize", "status", "workflow", "workflowId", "after"]), texts, max_size=3
    )
)
def test_fuzz_list_query_params_never_5xx(api: APIClient, saved: dict[str, str], params: dict[str, str]) -> None:
    for url in ("/v1/runs", "/v1/workflows", f"/v1/runs/{saved['run']}/events", "/v1/credentials", "/v1/tokens"):
        _assert_clean(api.get(url, params))


NUMBERS = ["1e400", "-1e999", "1E+309", "0e-999", "-0", "9" * 5000, "1" * 400, "1.7976931348623157e308"]


@FUZZ
@given(
    raw=st.text(max_size=40)
    | st.builds('{{"graph": {{"nodes": [], "edges": []}}, "payload": {{"n": {}}}}}'.format, st.sampled_from(NUMBERS))
    | st.builds("[{}]".format, st.sampled_from(NUMBERS)),
    path=st.sampled_from(["/v1/runs", "/v1/workflows", "/v1/credentials", "/v1/tokens"]),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
)
def test_fuzz_raw_bodies_never_5xx(api: APIClient, raw: str, path: str, content_type: str) -> None:
    _assert_clean(api.generic("POST", path, raw.encode("utf-8", "surrogatepass"), content_type=content_type))


@FUZZ
@given(key=texts)
def test_fuzz_idempotency_key_never_5xx(api: APIClient, key: str) -> None:
    body = {"graph": {"nodes": [start_node()], "edges": []}}
    _assert_clean(_send_with_key(api, body, key))


@FUZZ
@given(
    authorization=st.builds("{} {}".format, st.sampled_from(["Bearer", "bearer", "Basic", ""]), texts) | texts,
    request_id=texts,
)
def test_fuzz_authorization_and_request_id_headers_never_5xx(db: Any, authorization: str, request_id: str) -> None:
    response = APIClient().get("/v1/runs", HTTP_AUTHORIZATION=authorization, HTTP_X_REQUEST_ID=request_id)
    _assert_clean(response)
    assert response.status_code == 401


def _send_with_key(api: APIClient, body: Any, key: str) -> Any:
    return api.post("/v1/runs", data=json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def test_fuzz_stores_nothing_for_refused_bodies(api: APIClient, user: Any) -> None:
    """The fuzz's refusals are refusals: a bad body leaves no row behind."""
    before = (Workflow.objects.count(), Run.objects.count(), Credential.objects.count(), ApiToken.objects.count())
    for body in ([], "x", 0, None, {"name": "y" * 201, "graph": {"nodes": [], "edges": []}}):
        for url in ("/v1/workflows", "/v1/runs", "/v1/credentials", "/v1/tokens"):
            response = _send(api, "post", url, body)
            assert 400 <= response.status_code < 500, (url, body, response.status_code)
    after = (Workflow.objects.count(), Run.objects.count(), Credential.objects.count(), ApiToken.objects.count())
    assert after == before
