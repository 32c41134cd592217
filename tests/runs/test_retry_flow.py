"""Engine retries of a kind without its own retry loop: each failed attempt parks the step, the last one fails it."""

from __future__ import annotations

from typing import Any

import pytest

from backend.runs.models import RunEvent, Step
from backend.runs.services import run_start
from backend.runs.step_services import step_resume
from tests.support.graphs import edge, start_node
from tests.support.inline import InlineDispatcher

# Each flow runs on both run stores (PostgreSQL statements, and the portable ORM one).
pytestmark = pytest.mark.usefixtures("store")


def _graph(**settings: Any) -> dict[str, Any]:
    shape = {"id": "shape", "type": "transform", "config": {"set": [{"name": "x", "value": "{{payload.gone}}"}]}}
    shape["config"].update(settings)
    return {"nodes": [start_node(), shape], "edges": [edge("start", "shape")]}


def _resume_due(dispatcher: InlineDispatcher) -> None:
    while dispatcher.scheduled:
        step_id, _at = dispatcher.scheduled.pop(0)
        assert step_resume(step_id=step_id)
        dispatcher.drain()


def test_retry_flow_parks_each_failed_attempt_then_fails(user: Any, inline_dispatcher: InlineDispatcher) -> None:
    run, _ = run_start(owner=user, graph=_graph(retries=2, retry_backoff_s=0))
    inline_dispatcher.drain()
    step = Step.objects.get(run=run, node_id="shape")
    assert (step.status, step.attempt) == ("waiting", 1)
    _resume_due(inline_dispatcher)
    step.refresh_from_db()
    run.refresh_from_db()
    assert (run.status, step.status, step.attempt) == ("failed", "failed", 3)
    assert "payload.gone" in step.error
    notes = RunEvent.objects.filter(run=run, type="log", node_id="shape", level="warn").order_by("seq")
    assert [e.data["attempt"] for e in notes] == [1, 2]
    assert "retrying in 0s" in notes[0].message and "payload.gone" in notes[0].message


def test_retry_flow_without_retries_fails_at_once(user: Any, inline_dispatcher: InlineDispatcher) -> None:
    run, _ = run_start(owner=user, graph=_graph())
    inline_dispatcher.drain()
    run.refresh_from_db()
    assert run.status == "failed" and not inline_dispatcher.scheduled
    assert Step.objects.get(run=run, node_id="shape").attempt == 1
