"""A Delay in a run: the step waits holding no worker, resumes when due (or from the reaper), cancels cleanly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.runs.models import Run, RunEvent, Step
from backend.runs.recovery import sweep
from backend.runs.services import run_cancel, run_start
from backend.runs.step_services import step_resume
from tests.support.graphs import chain, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer

# Each flow runs on both run stores (PostgreSQL statements, and the portable ORM one).
pytestmark = pytest.mark.usefixtures("store")


def _delayed(user: Any, url: str, seconds: float = 3600) -> Run:
    wait = {"id": "wait", "type": "delay", "label": "Wait", "config": {"seconds": seconds}}
    graph = {"nodes": [start_node(), wait, http_node("after", url)], "edges": chain("start", "wait", "after")}
    return run_start(owner=user, graph=graph)[0]


def _step(run: Run, node_id: str) -> Step:
    return Step.objects.get(run=run, node_id=node_id)


def test_delay_flow_waits_then_resumes_and_the_run_goes_on(
    user: Any, inline_dispatcher: InlineDispatcher, stub_server: StubServer
) -> None:
    stub_server.route("GET", "/after", json={"ok": True})
    run = _delayed(user, f"{stub_server.url}/after")
    inline_dispatcher.drain()
    wait = _step(run, "wait")
    assert wait.status == "waiting" and wait.resume_at is not None and wait.heartbeat_at is None
    assert [s for s, _ in inline_dispatcher.scheduled] == [wait.pk]
    event = RunEvent.objects.filter(run=run, type="step_waiting").get()
    assert event.message.startswith("Wait waits until ") and event.data["resumeAt"] == wait.resume_at.isoformat()
    assert step_resume(step_id=wait.pk) is False  # not due yet
    Step.objects.filter(pk=wait.pk).update(resume_at=timezone.now() - timedelta(seconds=1))
    assert step_resume(step_id=wait.pk) is True and step_resume(step_id=wait.pk) is False
    inline_dispatcher.drain()
    run.refresh_from_db()
    assert run.status == "succeeded" and _step(run, "wait").output["waitedUntil"]
    assert len(stub_server.requests_to("/after")) == 1
    assert _step(run, "wait").attempt == 2  # one attempt to start waiting, one to finish


def test_delay_flow_the_reaper_resumes_a_due_step_whose_message_was_lost(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    run = _delayed(user, "http://127.0.0.1:9/never")
    inline_dispatcher.drain()
    Step.objects.filter(run=run, node_id="wait").update(resume_at=timezone.now() - timedelta(seconds=1))
    inline_dispatcher.scheduled.clear()  # the broker lost the scheduled resume
    assert sweep().resumed == 1
    assert _step(run, "wait").status == "queued" and inline_dispatcher.queue


def test_delay_flow_cancel_while_waiting_ends_the_run_and_nothing_resumes(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    run = _delayed(user, "http://127.0.0.1:9/never")
    inline_dispatcher.drain()
    assert run_cancel(run=run) is True
    assert (_step(run, "wait").status, _step(run, "after").status) == ("cancelled", "cancelled")
    Step.objects.filter(run=run, node_id="wait").update(resume_at=timezone.now() - timedelta(seconds=1))
    assert step_resume(step_id=_step(run, "wait").pk) is False and sweep().resumed == 0
    run.refresh_from_db()
    assert run.status == "cancelled"
