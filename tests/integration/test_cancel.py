"""Cancel on a real worker: the in-flight request is aborted and no successor starts."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.models import Run, Step
from tests.support.graphs import chain, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import wait_for

pytestmark = pytest.mark.integration


def test_cancel_aborts_running_request_and_starts_no_successor(worker: Any, api: APIClient) -> None:
    with serving_target() as target:
        graph = {
            "nodes": [start_node(), http_node("slow", f"{target.url}/slow?delay=10&name=slow", retries=0),
                      http_node("after", f"{target.url}/after?name=after")],
            "edges": chain("start", "slow", "after"),
        }  # fmt: skip
        created = api.post("/v1/runs", data=json.dumps({"graph": graph}), content_type="application/json")
        run_id = created.json()["id"]
        wait_for(lambda: any(s.path == "/slow" for s in target.seen), timeout=15)
        asked = time.monotonic()
        cancel = api.post(f"/v1/runs/{run_id}/cancel").json()
        assert cancel["status"] == "cancelled" and cancel["changed"] is True
        slow = wait_for(lambda: target.named("slow").client_closed and target.named("slow"), timeout=8)
        aborted_after = slow.ended - asked
        step = wait_for(
            lambda: Step.objects.filter(run_id=run_id, node_id="slow", status="cancelled").first(), timeout=8
        )
        time.sleep(1.0)
        paths = [s.path for s in target.seen]
    assert aborted_after < 5  # well before the target's 10 s answer
    assert "/after" not in paths
    assert Step.objects.get(run_id=run_id, node_id="after").status == "cancelled"
    assert step.finished_at is not None
    assert Run.objects.get(pk=run_id).status == "cancelled"
    assert api.post(f"/v1/runs/{run_id}/cancel").json()["changed"] is False


def test_cancel_mid_request_keeps_the_request_line_and_its_time(worker: Any, api: APIClient) -> None:
    with serving_target() as target:
        graph = {"nodes": [start_node(), http_node("slow", f"{target.url}/slow?delay=10&name=slow", retries=0)],
                 "edges": chain("start", "slow")}  # fmt: skip
        run_id = api.post("/v1/runs", data=json.dumps({"graph": graph}), content_type="application/json").json()["id"]
        wait_for(lambda: any(s.path == "/slow" for s in target.seen), timeout=15)
        sent_at = time.time()
        api.post(f"/v1/runs/{run_id}/cancel")

        def request_line() -> Any:
            logs = api.get(f"/v1/runs/{run_id}").json()["logs"]
            return next(
                (line for line in logs if line.get("nodeId") == "slow" and line["msg"].startswith("GET ")), None
            )

        line = wait_for(request_line, timeout=8)
    assert "/slow" in line["msg"]
    stamped = datetime.fromisoformat(line["ts"].replace("Z", "+00:00")).timestamp()
    assert stamped <= sent_at + 0.05  # stamped when the request went out, not when the step ended
