"""Webhooks through real processes: a run committed before its dispatch is finished by the reaper and a
worker, {{trigger.…}} reaching the node; respond-with-result through the uvicorn web server."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from backend.runs.models import Run
from backend.triggers.webhook_services import webhook_put
from backend.workflows.services import workflow_create
from tests.support.faults import running_reaper
from tests.support.graphs import builder_file, chain, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import child_env, running_worker, serving_web, wait_for
from tests.triggers.conftest import hook_graph, post_hook

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker() -> Iterator[Any]:
    redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")).flushdb()
    with running_worker(concurrency=4) as proc:
        yield proc


def _finished(run_id: str) -> Run | None:
    run = Run.objects.get(pk=run_id)
    return run if run.status in ("succeeded", "failed", "cancelled") else None


def test_webhook_run_accepted_before_a_crash_is_finished_by_reaper_and_worker(
    user: Any, discard_dispatch: None
) -> None:
    with serving_target() as target:
        workflow = workflow_create(owner=user, name="Hooked", graph=hook_graph(f"{target.url}/notify"))
        hook, _ = webhook_put(workflow=workflow, options={})
        from backend.triggers.webhook_services import webhook_token

        # The web process commits the run, answers 202 and dies before its dispatch: nothing is sent.
        accepted = post_hook(f"/hooks/{webhook_token(hook)}?ref=main", {"title": "From GitHub"}, X_GitHub_Event="push")
        assert accepted.status_code == 202
        run_id = accepted.json()["runId"]
        assert Run.objects.get(pk=run_id).status == "queued"
        env = child_env({"AUTOMATEOS_QUEUED_REPUBLISH_S": "0.5", "AUTOMATEOS_REAPER_INTERVAL_S": "0.2"})
        redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")).flushdb()
        with running_worker(concurrency=4), running_reaper(env):
            run = wait_for(lambda: _finished(run_id), timeout=40)
        assert run.status == "succeeded", run.error
        seen = target.named("notify")
        assert seen.query == {"event": "push", "ref": "main"}
        assert seen.headers.get("X-Event") == "push" and '"title": "From GitHub"' in seen.body


@pytest.fixture
def web() -> Iterator[str]:
    log = Path(tempfile.NamedTemporaryFile(prefix="aos-web-", suffix=".log", delete=False).name)  # noqa: SIM115
    with serving_web(child_env(), log) as base:
        yield base


def _graph(url: str) -> dict[str, Any]:
    nodes = [start_node(), http_node("call", url, method="POST", body='{"n": "{{payload.n}}"}')]
    return builder_file(nodes, chain("start", "call"))


def test_webhook_respond_with_result_answers_the_steps_output(user: Any, worker: Any, web: str) -> None:
    with serving_target() as target:
        quick = workflow_create(owner=user, name="Quick", graph=_graph(f"{target.url}/ok"))
        slow = workflow_create(owner=user, name="Slow", graph=_graph(f"{target.url}/slow?delay=4"))
        broken = workflow_create(owner=user, name="Broken", graph=_graph(f"{target.url}/x?status=404"))
        options = {"respond": "result", "respondNode": "call", "respondTimeoutS": 10}
        from backend.triggers.webhook_services import webhook_token

        paths = {
            wf.name: f"{web}/hooks/{webhook_token(webhook_put(workflow=wf, options=opts)[0])}"
            for wf, opts in (
                (quick, options),
                (slow, {**options, "respondTimeoutS": 1}),
                (broken, {**options, "failureStatus": 422}),
            )
        }
        done = httpx.post(paths["Quick"], json={"n": 7}, timeout=15)
        late = httpx.post(paths["Slow"], json={"n": 1}, timeout=15)
        failed = httpx.post(paths["Broken"], json={"n": 2}, timeout=15)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "succeeded" and body["output"]["status"] == 200
    assert body["output"]["body"]["echo"] == '{"n": "7"}'
    assert late.status_code == 202 and late.json()["status"] in ("queued", "running")
    assert Run.objects.get(pk=late.json()["runId"]).trigger == "webhook"
    assert failed.status_code == 422 and failed.json()["status"] == "failed" and "404" in failed.json()["error"]
