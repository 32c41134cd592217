"""A real worker process on Redis + PostgreSQL runs fan-out/fan-in workflows against a local API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.models import Run, RunEvent, Step
from tests.support.graphs import chain, edge, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import wait_for

pytestmark = pytest.mark.integration


def _finished(run_id: str) -> Run | None:
    run = Run.objects.get(pk=run_id)
    return run if run.status in ("succeeded", "failed", "cancelled") else None


def _start(api: APIClient, graph: dict[str, Any]) -> str:
    response = api.post("/v1/runs", data=json.dumps({"graph": graph}), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_pipeline_fan_out_fan_in_runs_branches_in_parallel(worker: Any, api: APIClient) -> None:
    with serving_target() as target:
        graph = {
            "nodes": [
                start_node(),
                http_node("a", f"{target.url}/a?name=a"),
                http_node("b", f"{target.url}/slow?delay=0.6&name=b", label="Branch B"),
                http_node("c", f"{target.url}/slow?delay=0.6&name=c"),
                http_node("d", f"{target.url}/d?name=d", method="POST", body='{"joined": true}'),
            ],
            "edges": [edge("start", "a"), edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("c", "d")],
        }
        run_id = _start(api, graph)
        run = wait_for(lambda: _finished(run_id), timeout=30)
    assert run.status == "succeeded"
    steps = {s.node_id: s for s in Step.objects.filter(run_id=run_id)}
    assert {n: s.status for n, s in steps.items()} == dict.fromkeys(["start", "a", "b", "c", "d"], "succeeded")
    a, b, c, d = (target.named(n) for n in "abcd")
    assert a.ended <= min(b.started, c.started)  # a before the branches
    assert b.started < c.ended and c.started < b.ended  # the branches overlapped in time
    assert d.started >= max(b.ended, c.ended)  # the join waited for both
    assert json.loads(d.body) == {"joined": True}
    assert steps["d"].output["status"] == 200 and steps["d"].output["body"]["method"] == "POST"
    assert steps["b"].duration_ms >= 500 and steps["b"].label == "Branch B"
    doc = api.get(f"/v1/runs/{run_id}").json()
    messages = [line["msg"] for line in doc["logs"]]
    assert any("GET" in m and "/slow" in m for m in messages)
    assert doc["logs"][-1]["msg"] == "run succeeded"
    seqs = list(RunEvent.objects.filter(run_id=run_id).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_pipeline_failed_branch_skips_dependants(worker: Any, api: APIClient) -> None:
    with serving_target() as target:
        graph = {
            "nodes": [
                start_node(),
                http_node("ok", f"{target.url}/ok?name=ok&delay=0.2"),
                http_node("bad", f"{target.url}/bad?name=bad&status=500"),
                http_node("after_bad", f"{target.url}/never?name=never"),
                http_node("join", f"{target.url}/join?name=join"),
            ],
            "edges": [edge("start", "ok"), edge("start", "bad"), *chain("bad", "after_bad"), edge("ok", "join"),
                      edge("after_bad", "join")],
        }  # fmt: skip
        run_id = _start(api, graph)
        run = wait_for(lambda: _finished(run_id), timeout=30)
        paths = [s.path for s in target.seen]
    assert run.status == "failed"
    statuses = dict(Step.objects.filter(run_id=run_id).values_list("node_id", "status"))
    assert statuses == {"start": "succeeded", "ok": "succeeded", "bad": "failed", "after_bad": "skipped",
                        "join": "skipped"}  # fmt: skip
    assert "/never" not in paths and "/join" not in paths
    bad = Step.objects.get(run_id=run_id, node_id="bad")
    assert "500" in bad.error
    assert Run.objects.get(pk=run_id).steps_remaining == 0


def test_pipeline_redelivered_message_runs_step_once(worker: Any, api: APIClient) -> None:
    from backend.runs.dispatch import CeleryDispatcher

    with serving_target() as target:
        graph = {
            "nodes": [start_node(), http_node("once", f"{target.url}/once?delay=0.3")],
            "edges": chain("start", "once"),
        }
        run_id = _start(api, graph)
        step_id = Step.objects.get(run_id=run_id, node_id="once").pk
        CeleryDispatcher().enqueue([step_id, step_id])  # two more deliveries of the same message
        wait_for(lambda: _finished(run_id), timeout=30)
        import time

        time.sleep(0.5)
        assert len([s for s in target.seen if s.path == "/once"]) == 1
    assert Step.objects.get(pk=step_id).attempt == 1
