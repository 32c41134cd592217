"""A real worker: a workflow whose HTTP step gets a 500 fails, and its failure workflow runs once with
the failed run's details, reading them through templates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.models import Run
from tests.support.graphs import builder_file, chain, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import wait_for

pytestmark = pytest.mark.integration


def _create(api: APIClient, body: dict[str, Any]) -> str:
    created = api.post("/v1/workflows", data=json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    return str(created.json()["id"])


def _finished_hook_run() -> Run | None:
    run = Run.objects.filter(trigger="failure_hook").first()
    return run if run is not None and run.status in ("succeeded", "failed", "cancelled") else None


def test_failure_hook_worker_runs_the_failure_workflow_with_the_failed_run(worker: Any, api: APIClient) -> None:
    with serving_target() as target:
        alert_body = '{"failed": "{{payload.failedRun.id}}", "node": "{{trigger.failedRun.failedNode.id}}"}'
        alert = builder_file(
            [start_node(), http_node("alert", f"{target.url}/alert?name=alert", method="POST", body=alert_body)],
            chain("start", "alert"),
        )
        hook_id = _create(api, {"name": "Alert", "graph": alert})
        broken = builder_file(
            [start_node(), http_node("fetch", f"{target.url}/fetch?status=500&name=fetch", label="Fetch", retries=0)],
            chain("start", "fetch"),
        )
        main_id = _create(api, {"name": "Main", "graph": broken, "failureWorkflowId": hook_id})
        started = api.post(f"/v1/workflows/{main_id}/runs", data="{}", content_type="application/json")
        assert started.status_code == 201, started.content
        failed_id = started.json()["id"]
        hook_run = wait_for(_finished_hook_run, timeout=30)
        posted = json.loads(target.named("alert").body)
    failed = Run.objects.get(pk=failed_id)
    assert failed.status == "failed"
    assert hook_run.status == "succeeded" and str(hook_run.workflow_id) == hook_id
    assert hook_run.idempotency_key == f"failure-hook:{failed_id}"
    failed_run = hook_run.payload["failedRun"]
    assert failed_run["id"] == failed_id and failed_run["workflowName"] == "Main"
    assert failed_run["workflowVersion"] == 1 and failed_run["failedNode"] == {"id": "fetch", "label": "Fetch"}
    assert "500" in failed_run["error"] and failed_run["finishedAt"]
    assert hook_run.trigger_data == hook_run.payload
    assert posted == {"failed": failed_id, "node": "fetch"}
    assert Run.objects.filter(trigger="failure_hook").count() == 1
