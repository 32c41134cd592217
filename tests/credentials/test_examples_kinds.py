"""The starter workflows of the newer node kinds run against local stand-ins of Slack and the status pages."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.runs.models import Step
from backend.runs.step_services import step_resume
from backend.workflows.graph import compile_graph
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


def _start(api: APIClient, stub: StubServer, file: dict[str, Any], payload: dict[str, Any]) -> str:
    hook = f"{stub.url}/services/T0/B0/hook"
    api.post("/v1/credentials", {"name": "slackWebhook", "kind": "secret_text", "value": hook}, format="json")
    stub.route("POST", "/services/T0/B0/hook", body="ok")
    workflow = api.post("/v1/workflows", file, format="json")
    assert workflow.status_code == 201, workflow.content
    started = api.post("/v1/runs", {"workflowId": workflow.json()["id"], "payload": payload}, format="json")
    return str(started.json()["runId"])


def test_examples_kinds_every_example_compiles() -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        assert compile_graph(json.loads(path.read_text()))["nodes"], path.name


def test_examples_kinds_delayed_reminder_waits_then_posts(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    run_id = _start(api, stub, _example("delay-reminder.json"), {"message": "stand-up"})
    engine.drain()
    wait = Step.objects.get(run_id=run_id, node_id="wait")
    assert wait.status == "waiting" and stub.requests == []
    Step.objects.filter(pk=wait.pk).update(resume_at=timezone.now() - timedelta(seconds=1))  # an hour later
    assert step_resume(step_id=wait.pk)
    engine.drain()
    [posted] = stub.requests_to("/services/T0/B0/hook")
    assert posted.json() == {"text": "Reminder: stand-up"}
    assert api.get(f"/v1/runs/{run_id}").json()["status"] == "succeeded"


def test_examples_kinds_status_report_merges_both_answers(
    api: APIClient, engine: InlineDispatcher, stub: StubServer
) -> None:
    file = _example("merge-status-report.json")
    by_id = {node["id"]: node for node in file["nodes"]}
    by_id["github"]["data"]["config"]["url"] = f"{stub.url}/github"
    by_id["slackstatus"]["data"]["config"]["url"] = f"{stub.url}/slack"
    stub.route("GET", "/github", json={"status": {"description": "All Systems Operational"}})
    stub.route("GET", "/slack", json={"status": "ok"})
    run_id = _start(api, stub, file, {})
    engine.drain()
    assert api.get(f"/v1/runs/{run_id}").json()["status"] == "succeeded"
    [posted] = stub.requests_to("/services/T0/B0/hook")
    assert posted.json() == {"text": "GitHub: All Systems Operational · Slack: ok"}


@pytest.mark.parametrize(
    ("order", "posted", "skipped"),
    [
        ({"id": "A1", "amount": 250, "country": "DE"}, "Big order A1: 250", {"region", "eu", "us", "other"}),
        ({"id": "A2", "amount": 20, "country": "FR"}, "EU order A2", {"vip", "us", "other"}),
        ({"id": "A3", "amount": 20, "country": "US"}, "US order A3", {"vip", "eu", "other"}),
        ({"id": "A4", "amount": 20, "country": "JP"}, "Order A4 from JP", {"vip", "eu", "us"}),
    ],
)
def test_examples_kinds_order_triage_takes_one_path(
    api: APIClient, engine: InlineDispatcher, stub: StubServer, order: dict[str, Any], posted: str, skipped: set[str]
) -> None:
    run_id = _start(api, stub, _example("order-triage.json"), {"order": {**order, "email": "x@y.test"}})
    engine.drain()
    doc = api.get(f"/v1/runs/{run_id}").json()
    assert doc["status"] == "succeeded"
    assert {s["nodeId"] for s in doc["steps"] if s["status"] == "skipped"} == skipped
    assert [r.json()["text"] for r in stub.requests_to("/services/T0/B0/hook")] == [posted]
    tidy = Step.objects.get(run_id=run_id, node_id="tidy").output
    assert "email" not in tidy and tidy["id"] == order["id"]
