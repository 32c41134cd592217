"""A Delay with real workers: resumed on time by its scheduled message, and after its worker was killed."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.models import Run, Step
from backend.runs.recovery import sweep
from tests.support.graphs import chain, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import running_worker, wait_for

pytestmark = pytest.mark.integration


def _start(api: APIClient, url: str, seconds: float) -> str:
    wait = {"id": "wait", "type": "delay", "label": "Wait", "config": {"seconds": seconds}}
    graph = {"nodes": [start_node(), wait, http_node("after", url)], "edges": chain("start", "wait", "after")}
    answer = api.post("/v1/runs", data=json.dumps({"graph": graph}), content_type="application/json")
    return str(answer.json()["id"])


def _done(run_id: str) -> bool:
    return Run.objects.filter(pk=run_id, status="succeeded").exists()


def test_delay_workers_resume_on_time_holding_no_worker(
    transactional_db: Any, api: APIClient, clean_broker: None
) -> None:
    with serving_target() as target, running_worker(concurrency=1) as _worker:
        started = time.monotonic()
        run_id = _start(api, f"{target.url}/ok?name=after", seconds=1.5)
        wait_for(lambda: Step.objects.filter(run_id=run_id, node_id="wait", status="waiting").exists(), timeout=10)
        # The one worker thread is free while the step waits: another run goes through meanwhile.
        other = _start(api, f"{target.url}/ok?name=other", seconds=0)
        wait_for(lambda: _done(other), timeout=10)
        assert not _done(run_id)
        wait_for(lambda: _done(run_id), timeout=15)
    assert time.monotonic() - started >= 1.5
    assert [s.query.get("name") for s in target.seen].count("after") == 1


def test_delay_workers_survive_a_killed_worker(transactional_db: Any, api: APIClient, clean_broker: None) -> None:
    with serving_target() as target:
        with running_worker(concurrency=2) as first:
            run_id = _start(api, f"{target.url}/ok?name=after", seconds=2)
            wait_for(lambda: Step.objects.filter(run_id=run_id, node_id="wait", status="waiting").exists(), timeout=10)
            first.send_signal(signal.SIGKILL)  # takes the scheduled resume message it held with it
            first.wait(timeout=10)
        with running_worker(concurrency=2):
            due = Step.objects.get(run_id=run_id, node_id="wait").resume_at
            wait_for(lambda: due is not None and time.time() > due.timestamp(), timeout=10)
            wait_for(lambda: sweep().resumed >= 1 or _done(run_id), timeout=10)  # the reaper's pass
            wait_for(lambda: _done(run_id), timeout=15)
    assert Step.objects.get(run_id=run_id, node_id="wait").status == "succeeded"
