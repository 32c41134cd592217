"""POST /v1/workflows/<id>/runs: starts the saved workflow's current version, idempotently, with the
trigger of its caller; a bad payload is a 400, another user's workflow a 404; the vault is asked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.models import Run
from tests.support.graphs import builder_file, chain, http_node, start_node

pytestmark = pytest.mark.django_db
URL = "http://127.0.0.1:9/never-called"
PASS = "correct horse battery"


@pytest.fixture(autouse=True)
def no_dispatch(discard_dispatch: None) -> None:
    """Started runs are stored, never sent."""


def _send(api: APIClient, path: str, body: Any = None, **headers: str) -> Any:
    return api.post(path, data=json.dumps(body if body is not None else {}), content_type="application/json", **headers)


def _workflow(api: APIClient, **config: Any) -> str:
    graph = builder_file([start_node(), http_node("call", URL, **config)], chain("start", "call"))
    created = _send(api, "/v1/workflows", {"name": "Call", "graph": graph})
    assert created.status_code == 201, created.content
    return str(created.json()["id"])


def _session(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_workflow_runs_api_starts_the_current_version(api: APIClient) -> None:
    workflow_id = _workflow(api)
    started = _send(api, f"/v1/workflows/{workflow_id}/runs", {"payload": {"title": "x"}})
    assert started.status_code == 201, started.content
    body = started.json()
    assert set(body) == {"runId", "id", "status", "workflowVersion"}
    assert body["runId"] == body["id"] and body["status"] == "queued" and body["workflowVersion"] == 1
    run = Run.objects.get(pk=body["id"])
    assert str(run.workflow_id) == workflow_id and run.payload == {"title": "x"} and run.trigger == "api"


def test_workflow_runs_api_without_a_body_runs_with_an_empty_payload(api: APIClient) -> None:
    workflow_id = _workflow(api)
    started = api.post(f"/v1/workflows/{workflow_id}/runs")
    assert started.status_code == 201, started.content
    assert Run.objects.get(pk=started.json()["id"]).payload == {}


def test_workflow_runs_api_session_run_is_manual(user: Any, api: APIClient) -> None:
    workflow_id = _workflow(api)
    started = _send(_session(user), f"/v1/workflows/{workflow_id}/runs")
    assert Run.objects.get(pk=started.json()["id"]).trigger == "manual"


def test_workflow_runs_api_idempotency_key_replays_and_refuses_another_body(api: APIClient) -> None:
    workflow_id = _workflow(api)
    path = f"/v1/workflows/{workflow_id}/runs"
    first = _send(api, path, {"payload": {"n": 1}}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = _send(api, path, {"payload": {"n": 1}}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    other = _send(api, path, {"payload": {"n": 2}}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Run.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"), [({"payload": [1]}, "payload"), ({"payload": "x"}, "payload"), ({"graph": {}}, "graph")]
)
def test_workflow_runs_api_bad_body_is_a_400_naming_the_field(api: APIClient, body: Any, field: str) -> None:
    workflow_id = _workflow(api)
    refused = _send(api, f"/v1/workflows/{workflow_id}/runs", body)
    assert refused.status_code == 400 and field in refused.json()["error"]["details"]
    assert not Run.objects.exists()


def test_workflow_runs_api_another_users_workflow_is_not_found(api: APIClient, other_api: APIClient) -> None:
    workflow_id = _workflow(api)
    refused = _send(other_api, f"/v1/workflows/{workflow_id}/runs")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert not Run.objects.exists()


def test_workflow_runs_api_locked_vault_is_a_423_then_runs_after_unlock(user: Any) -> None:
    client = _session(user)
    made = _send(client, "/v1/credentials", {"name": "notion", "kind": "bearer_token", "value": "sk_" + "x" * 20})
    assert made.status_code == 201
    client.put("/v1/vault/passphrase", data=json.dumps({"passphrase": PASS}), content_type="application/json")
    workflow_id = _workflow(client, auth={"credentialName": "notion"})
    refused = _send(client, f"/v1/workflows/{workflow_id}/runs")
    assert refused.status_code == 423 and refused.json()["error"]["code"] == "vault_locked"
    assert _send(client, "/v1/vault/unlock", {"passphrase": PASS}).status_code == 200
    started = _send(client, f"/v1/workflows/{workflow_id}/runs")
    assert started.status_code == 201 and Run.objects.get(pk=started.json()["id"]).vault_grant is not None
