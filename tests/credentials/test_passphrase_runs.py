"""Runs and the passphrase vault: the unlock travels with the run; locked, nothing is sent."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from backend.runs.models import Run, Step
from tests.support.graphs import chain, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer

PASS = "correct horse battery"
LOCKED = 'vault locked: credential "notion" needs its owner\'s passphrase'


def _setup(api: APIClient, stub: StubServer) -> dict[str, Any]:
    stub.route("GET", "/plain", json={"ok": True})
    stub.route("GET", "/secret", json={"ok": True})
    api.post("/v1/credentials", {"name": "notion", "kind": "bearer_token", "value": "sk_" + "n" * 24}, format="json")
    api.put("/v1/vault/passphrase", {"passphrase": PASS}, format="json")
    nodes = [
        start_node(),
        http_node("plain", f"{stub.url}/plain"),
        http_node("secret", f"{stub.url}/secret", label="Notion", auth={"credentialName": "notion"}),
    ]
    return {"nodes": nodes, "edges": chain("start", "plain", "secret")}


def test_passphrase_run_with_a_locked_credential_sends_nothing(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    graph = _setup(api, stub)
    refused = api.post("/v1/runs", {"graph": graph}, format="json")
    assert refused.status_code == 423 and refused.json()["error"]["message"] == LOCKED
    engine.drain()
    assert stub.requests == [] and not Run.objects.exists()


def _start_unlocked(api: APIClient, graph: dict[str, Any]) -> str:
    api.post("/v1/vault/unlock", {"passphrase": PASS}, format="json")
    return str(api.post("/v1/runs", {"graph": graph}, format="json").json()["runId"])


def test_passphrase_unlocked_run_reads_the_protected_credential(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    run_id = _start_unlocked(api, _setup(api, stub))
    engine.drain()
    assert Run.objects.get(pk=run_id).status == "succeeded", list(Step.objects.values_list("node_id", "error"))
    assert stub.requests_to("/secret")[0].header("authorization") == "Bearer sk_" + "n" * 24


def test_passphrase_lock_during_a_run_fails_the_next_protected_step_before_its_request(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    run_id = _start_unlocked(api, _setup(api, stub))
    engine.drain(limit=1)  # the first HTTP node, which needs no credential
    api.post("/v1/vault/lock", format="json")
    engine.drain()
    step = Step.objects.get(run_id=run_id, node_id="secret")
    assert step.status == "failed"
    assert step.error == f'{LOCKED} (node "Notion", field auth.credentialName)'
    assert Run.objects.get(pk=run_id).status == "failed"
    assert len(stub.requests_to("/plain")) == 1 and stub.requests_to("/secret") == []


def test_passphrase_locked_template_credential_names_node_and_field(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    graph = _setup(api, stub)
    headers = {"X-Key": "{{getCredential('notion')}}"}
    graph["nodes"][2]["config"] = {"method": "GET", "url": f"{stub.url}/secret", "headers": headers}
    run_id = _start_unlocked(api, graph)
    api.post("/v1/vault/lock", format="json")
    engine.drain()
    step = Step.objects.get(run_id=run_id, node_id="secret")
    assert step.error.startswith(LOCKED) and 'node "Notion"' in step.error and "headers.X-Key" in step.error
    assert stub.requests_to("/secret") == []
