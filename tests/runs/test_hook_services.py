"""Failure hooks: a failed run starts its workflow's failure workflow once, with what failed; never a
cancelled run, never a run a hook started, never twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.runs.hook_services import failure_hook_fire
from backend.runs.models import Run
from backend.runs.recovery import sweep
from backend.runs.services import run_cancel, run_start
from backend.workflows.services import workflow_create, workflow_update
from tests.support.graphs import builder_file, chain, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        server.route("ANY", "/ok", json={"ok": True})
        server.route("ANY", "/broken", status=500, json={"error": "down"})
        yield server


def _workflow(user: Any, name: str, url: str, **fields: Any) -> Any:
    graph = builder_file([start_node(), http_node("fetch", url, label="Fetch", retries=0)], chain("start", "fetch"))
    return workflow_create(owner=user, name=name, graph=graph, **fields)


def _hooked(user: Any, stub: StubServer, path: str) -> tuple[Any, Any]:
    """An "Alert" workflow, and a "Main" one calling `path` on the stand-in that names it as its failure workflow."""
    hook = _workflow(user, "Alert", f"{stub.url}/ok")
    return hook, _workflow(user, "Main", f"{stub.url}{path}", failure_workflow_id=hook.pk)


def _hook_runs(user: Any) -> list[Run]:
    return list(Run.objects.filter(owner=user, trigger="failure_hook"))


def test_failure_hook_starts_the_failure_workflow_with_the_failed_run(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    hook, main = _hooked(user, stub, "/broken")
    failed, _ = run_start(owner=user, workflow_id=main.pk)
    inline_dispatcher.drain()
    failed.refresh_from_db()
    assert failed.status == "failed"
    [hook_run] = _hook_runs(user)
    expected = {
        "failedRun": {
            "id": str(failed.pk),
            "workflowId": str(main.pk),
            "workflowName": "Main",
            "workflowVersion": 1,
            "failedNode": {"id": "fetch", "label": "Fetch"},
            "error": failed.steps.get(node_id="fetch").error,
            "finishedAt": failed.finished_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
    }
    assert "500" in expected["failedRun"]["error"]
    assert hook_run.workflow_id == hook.pk and hook_run.workflow_version == 1
    assert hook_run.payload == expected and hook_run.trigger_data == expected
    assert hook_run.status == "succeeded"


def test_failure_hook_fires_once_when_the_close_is_seen_twice(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    _, main = _hooked(user, stub, "/broken")
    failed, _ = run_start(owner=user, workflow_id=main.pk)
    inline_dispatcher.drain()
    again = failure_hook_fire(run_id=failed.pk)
    assert again is not None and [r.pk for r in _hook_runs(user)] == [again.pk]


def test_failure_hook_run_that_fails_fires_no_hook(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    main = _workflow(user, "Main", f"{stub.url}/broken")
    workflow_update(workflow=main, failure_workflow_id=main.pk)  # its own failure workflow
    run_start(owner=user, workflow_id=main.pk)
    inline_dispatcher.drain()
    [hook_run] = _hook_runs(user)
    assert hook_run.status == "failed"
    assert failure_hook_fire(run_id=hook_run.pk) is None
    assert Run.objects.filter(owner=user).count() == 2


def test_failure_hook_not_for_cancelled_or_succeeded_or_unhooked_runs(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    _, main = _hooked(user, stub, "/ok")
    plain = _workflow(user, "Plain", f"{stub.url}/broken")
    cancelled, _ = run_start(owner=user, workflow_id=main.pk)
    run_cancel(run=cancelled)
    succeeded, _ = run_start(owner=user, workflow_id=main.pk)
    unhooked, _ = run_start(owner=user, workflow_id=plain.pk)
    inline_dispatcher.drain()
    assert [failure_hook_fire(run_id=r.pk) for r in (cancelled, succeeded, unhooked)] == [None, None, None]
    assert _hook_runs(user) == []


def test_failure_hook_sent_when_the_reaper_fails_a_run_past_its_deadline(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    _, main = _hooked(user, stub, "/ok")
    run, _ = run_start(owner=user, workflow_id=main.pk)
    inline_dispatcher.queue.clear()  # its worker never ran the step
    Run.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=60))
    assert sweep().timed_out == 1
    assert list(inline_dispatcher.failure_hooks) == [str(run.pk)]
    inline_dispatcher.drain()
    [hook_run] = _hook_runs(user)
    assert hook_run.payload["failedRun"]["error"] == "maximum run duration exceeded"
    assert hook_run.payload["failedRun"]["failedNode"] is None


def test_failure_hook_for_a_workflow_with_a_newer_version_records_the_run_version(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    _, main = _hooked(user, stub, "/ok")
    broken = builder_file(
        [start_node(), http_node("fetch", f"{stub.url}/broken", label="Fetch", retries=0)], chain("start", "fetch")
    )
    workflow_update(workflow=main, graph=broken)
    failed, _ = run_start(owner=user, workflow_id=main.pk)
    assert failed.workflow_version == 2
    inline_dispatcher.drain()
    [hook_run] = _hook_runs(user)
    assert hook_run.payload["failedRun"]["workflowVersion"] == 2
