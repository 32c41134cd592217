"""Run services: cancel stores sane durations whatever the clocks of the processes involved say."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from backend.runs.models import Run, Step
from backend.runs.services import run_cancel, run_start
from backend.runs.step_services import step_claim
from tests.support.graphs import http_node, start_node
from tests.support.inline import InlineDispatcher


def test_run_cancel_a_step_claimed_by_a_clock_ahead_of_ours_gets_duration_zero(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    graph = {"nodes": [start_node(), http_node("a", "http://127.0.0.1:9/")], "edges": []}
    run, _ = run_start(owner=user, graph=graph)
    claim = step_claim(step_id=Step.objects.get(run=run, node_id="a").pk)
    assert claim is not None
    # The worker's clock (or a claim that won while cancel waited for its lock) is ahead of ours.
    Step.objects.filter(pk=claim.step.pk).update(started_at=timezone.now() + timedelta(seconds=5))

    assert run_cancel(run=run) is True
    step = Step.objects.get(pk=claim.step.pk)
    assert (step.status, step.duration_ms) == ("cancelled", 0)
    assert Run.objects.get(pk=run.pk).status == "cancelled"
