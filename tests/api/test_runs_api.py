"""Runs API: start, idempotency, errors, pagination, filters and isolation between users."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from backend.runs.models import Run, RunEvent, Step
from tests.support.graphs import builder_file, chain, http_node, start_node

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/never-called"


def _graph() -> dict[str, Any]:
    return {"nodes": [start_node(), http_node("ping", URL)], "edges": chain("start", "ping")}


def _post(api: APIClient, body: Any, **headers: str) -> Any:
    return api.post("/v1/runs", data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture(autouse=True)
def no_dispatch(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sent: list[int] = []

    class Recorder:
        def enqueue(self, step_ids: Any) -> None:
            sent.extend(step_ids)

    from backend.runs import dispatch

    monkeypatch.setattr(dispatch, "_dispatcher", Recorder())
    return sent


def test_run_start_returns_ids_and_status(api: APIClient) -> None:
    response = _post(api, {"graph": _graph(), "payload": {"title": "x"}})
    assert response.status_code == 201
    body = response.json()
    assert body["runId"] == body["id"]
    assert body["status"] == "queued"
    run = Run.objects.get(pk=body["id"])
    assert run.payload == {"title": "x"}
    assert [s.node_id for s in run.steps.order_by("position")] == ["start", "ping"]
    assert response["X-Request-ID"] == run.request_id


def test_run_start_accepts_builder_file_form(api: APIClient) -> None:
    graph = builder_file([start_node(), http_node("ping", URL)], chain("start", "ping"))
    assert _post(api, {"graph": graph}).status_code == 201


def test_run_start_completes_start_node_inline(api: APIClient, no_dispatch: list[int]) -> None:
    body = _post(api, {"graph": _graph(), "payload": {"a": 1}}).json()
    start = Step.objects.get(run_id=body["id"], node_id="start")
    ping = Step.objects.get(run_id=body["id"], node_id="ping")
    assert start.status == "succeeded" and start.output == {"payload": {"a": 1}}
    assert ping.pending_deps == 0 and ping.status == "queued"


def test_run_start_keeps_client_request_id(api: APIClient) -> None:
    response = _post(api, {"graph": _graph()}, HTTP_X_REQUEST_ID="req-123")
    assert response["X-Request-ID"] == "req-123"
    assert Run.objects.get(pk=response.json()["id"]).request_id == "req-123"


def test_run_start_idempotent_same_key_same_body(api: APIClient) -> None:
    first = _post(api, {"graph": _graph()}, HTTP_IDEMPOTENCY_KEY="ui_1_abc")
    second = _post(api, {"graph": _graph()}, HTTP_IDEMPOTENCY_KEY="ui_1_abc")
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Run.objects.count() == 1


def test_run_start_same_key_different_body_is_422(api: APIClient) -> None:
    _post(api, {"graph": _graph()}, HTTP_IDEMPOTENCY_KEY="ui_2_abc")
    response = _post(api, {"graph": _graph(), "payload": {"x": 1}}, HTTP_IDEMPOTENCY_KEY="ui_2_abc")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Run.objects.count() == 1


def test_run_start_same_key_other_user_is_separate(api: APIClient, other_api: APIClient) -> None:
    a = _post(api, {"graph": _graph()}, HTTP_IDEMPOTENCY_KEY="shared").json()["id"]
    b = _post(other_api, {"graph": _graph()}, HTTP_IDEMPOTENCY_KEY="shared").json()["id"]
    assert a != b


@pytest.mark.django_db(transaction=True)
def test_run_start_concurrent_same_key_creates_one_run(user: Any) -> None:
    from backend.accounts.services import token_create

    _, raw = token_create(user=user)
    results: list[int] = []
    ids: list[str] = []
    barrier = threading.Barrier(4)

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        barrier.wait()
        response = _post(client, {"graph": _graph()}, HTTP_IDEMPOTENCY_KEY="race-key")
        results.append(response.status_code)
        ids.append(response.json()["id"])
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 200, 200, 201]
    assert len(set(ids)) == 1
    assert Run.objects.filter(idempotency_key="race-key").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"graph": {"nodes": [], "edges": []}, "extra": 1}, "extra"),
        ({"payload": {}}, "graph"),
        ({"graph": _graph(), "payload": [1]}, "payload"),
        ({"graph": "nope"}, "graph"),
        ({"workflowId": "not-a-uuid"}, "workflowId"),
    ],
)
def test_run_start_bad_shape_is_400_with_field(api: APIClient, body: Any, field: str) -> None:
    response = _post(api, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "details"}
    assert field in json.dumps(error["details"])
    assert Run.objects.count() == 0


def test_run_start_compiler_error_is_400_and_nothing_stored(api: APIClient) -> None:
    graph = {"nodes": [start_node(), http_node("x", URL)], "edges": chain("start", "missing")}
    response = _post(api, {"graph": graph})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_graph"
    assert "missing" in json.dumps(response.json()["error"])
    assert Run.objects.count() == 0 and Step.objects.count() == 0


@pytest.mark.parametrize(
    ("source", "code"),
    [("ping", "self_reference"), ("after", "not_upstream"), ("side", "not_upstream"), ("ghost", "unknown_step")],
)
def test_run_start_bad_step_reference_is_400_naming_node_and_field(api: APIClient, source: str, code: str) -> None:
    reader = http_node("ping", URL, headers={"X-Id": f"{{{{steps.{source}.output.body.id}}}}"})
    graph = {
        "nodes": [start_node(), reader, http_node("after", URL), http_node("side", URL)],
        "edges": [*chain("start", "ping", "after"), *chain("start", "side")],
    }
    response = _post(api, {"graph": graph})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_graph"
    (detail,) = error["details"]["errors"]
    assert detail == {
        "path": "nodes[1].config.headers.X-Id",
        "code": code,
        "message": detail["message"],
    }
    assert 'node "ping" field headers.X-Id' in error["message"]
    assert Run.objects.count() == 0 and Step.objects.count() == 0


def test_run_start_malformed_json_is_400(api: APIClient) -> None:
    response = api.post("/v1/runs", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_run_start_over_one_mib_is_413(api: APIClient) -> None:
    big = {"graph": _graph(), "payload": {"blob": "x" * (1024 * 1024 + 10)}}
    response = _post(api, big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert Run.objects.count() == 0


def test_runs_require_token(db: Any) -> None:
    response = APIClient().get("/v1/runs")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer aos_nottherightone_xxxxxxxx")
    assert bad.get("/v1/runs").status_code == 401


def test_run_get_document_shape(api: APIClient) -> None:
    run_id = _post(api, {"graph": _graph()}).json()["id"]
    doc = api.get(f"/v1/runs/{run_id}").json()
    assert {"id", "status", "steps", "logs", "createdAt", "updatedAt", "finishedAt"} <= set(doc)
    step = doc["steps"][1]
    assert {"id", "nodeId", "status", "durationMs", "name", "error"} <= set(step)
    log = doc["logs"][0]
    assert log["ts"].endswith("Z") and len(log["ts"].split(".")[1]) == 4
    assert log["level"] in ("info", "warn", "error") and log["msg"]


def test_run_of_other_user_is_404(api: APIClient, other_api: APIClient) -> None:
    run_id = _post(api, {"graph": _graph()}).json()["id"]
    assert other_api.get(f"/v1/runs/{run_id}").status_code == 404
    assert other_api.post(f"/v1/runs/{run_id}/cancel").status_code == 404
    assert other_api.get("/v1/runs").json()["count"] == 0


def test_run_unknown_is_404(api: APIClient) -> None:
    response = api.get("/v1/runs/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_run_list_paginates_newest_first_and_filters(api: APIClient) -> None:
    ids = [_post(api, {"graph": _graph()}).json()["id"] for _ in range(5)]
    Run.objects.filter(pk=ids[0]).update(status="failed")
    page = api.get("/v1/runs?pageSize=2").json()
    assert page["count"] == 5
    assert [r["id"] for r in page["results"]] == ids[::-1][:2]
    assert page["next"]
    failed = api.get("/v1/runs?status=failed").json()
    assert [r["id"] for r in failed["results"]] == [ids[0]]
    assert api.get("/v1/runs?status=bogus").status_code == 400


def test_run_events_after_sequence(api: APIClient) -> None:
    run_id = _post(api, {"graph": _graph()}).json()["id"]
    all_events = api.get(f"/v1/runs/{run_id}/events").json()["events"]
    assert [e["seq"] for e in all_events] == list(range(1, len(all_events) + 1))
    later = api.get(f"/v1/runs/{run_id}/events?after=1").json()["events"]
    assert [e["seq"] for e in later] == [e["seq"] for e in all_events[1:]]
    assert RunEvent.objects.filter(run_id=run_id).count() == len(all_events)


def test_run_cancel_twice_changes_once(api: APIClient) -> None:
    run_id = _post(api, {"graph": _graph()}).json()["id"]
    first = api.post(f"/v1/runs/{run_id}/cancel").json()
    second = api.post(f"/v1/runs/{run_id}/cancel").json()
    assert first["status"] == "cancelled" and first["changed"] is True
    assert second["status"] == "cancelled" and second["changed"] is False
    assert Step.objects.get(run_id=run_id, node_id="ping").status == "cancelled"


def test_api_unexpected_error_is_json_500_without_details(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend.runs import selectors

    def broken(**_: Any) -> Any:
        raise RuntimeError("secret-ish internal detail")

    monkeypatch.setattr(selectors, "run_list", broken)
    api.raise_request_exception = False
    response = api.get("/v1/runs")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error" and error["requestId"]
    assert "secret-ish" not in response.content.decode()


@pytest.mark.parametrize("trigger", [["ui"], 5, "t" * 17, "u\ni", "webhook", "schedule", "rerun", "failure_hook"])
def test_run_start_refuses_a_trigger_a_client_cannot_be(api: APIClient, trigger: Any) -> None:
    response = _post(api, {"graph": _graph(), "trigger": trigger})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["trigger"] == ["manual", "api"]
    assert not Run.objects.exists()


def test_run_start_records_the_trigger_from_the_caller(api: APIClient, user: Any) -> None:
    assert _post(api, {"graph": _graph(), "trigger": "manual"}).status_code == 201
    assert _post(api, {"graph": _graph(), "trigger": None}).status_code == 201
    session = APIClient()
    session.force_login(user)
    assert session.post("/v1/runs", {"graph": _graph()}, format="json").status_code == 201
    assert sorted(Run.objects.values_list("trigger", flat=True)) == ["api", "manual", "manual"]


@pytest.mark.parametrize(("key", "needle"), [("k" * 256, "at most 255"), ("a\x00b", "control character")])
def test_run_start_refuses_an_idempotency_key_it_cannot_store(api: APIClient, key: str, needle: str) -> None:
    response = _post(api, {"graph": _graph()}, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400, response.content
    assert needle in response.json()["error"]["details"]["Idempotency-Key"][0]
    assert not Run.objects.exists()


def test_runs_empty_credential_name_is_accepted_in_both_graph_forms(api: APIClient) -> None:
    node = http_node("ping", URL, auth={"credentialName": ""})
    flat = {"nodes": [start_node(), node], "edges": chain("start", "ping")}
    assert _post(api, {"graph": flat}).status_code == 201
    assert _post(api, {"graph": builder_file(flat["nodes"], flat["edges"])}).status_code == 201
