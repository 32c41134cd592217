"""A worker killed mid-request: the step still shows the request line it was sending, with its time."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.models import RunEvent
from tests.support.graphs import chain, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import running_worker, wait_for

pytestmark = pytest.mark.integration


def test_killed_worker_leaves_the_request_line_of_its_step(
    transactional_db: Any, api: APIClient, clean_broker: None
) -> None:
    with serving_target() as target, running_worker(concurrency=2) as proc:
        graph = {"nodes": [start_node(), http_node("slow", f"{target.url}/slow?delay=20&name=slow", retries=0)],
                 "edges": chain("start", "slow")}  # fmt: skip
        run_id = api.post("/v1/runs", data=json.dumps({"graph": graph}), content_type="application/json").json()["id"]
        wait_for(lambda: any(s.path == "/slow" for s in target.seen), timeout=15)
        sent_at = time.time()
        # Within two heartbeats the watcher has stored the line of a request that is still waiting.
        line = wait_for(
            lambda: RunEvent.objects.filter(
                run_id=run_id, node_id="slow", type="log", message__startswith="GET "
            ).first(),
            timeout=5,
        )
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert "/slow" in line.message
    assert line.ts.timestamp() <= sent_at + 0.05  # the time it was sent, not the time it was stored
