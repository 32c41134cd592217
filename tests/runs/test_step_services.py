"""step_services under concurrency: two failing parents skip their join once, the run closes once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connections, transaction

from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_start
from backend.runs.states import StepStatus
from backend.runs.step_services import Claim, Outcome, descendants_of, step_claim, step_finish
from tests.support.graphs import edge, http_node, start_node
from tests.support.inline import InlineDispatcher


def _fail(claim: Claim) -> None:
    successors = claim.step.successors
    step_finish(
        claim=claim,
        outcome=Outcome(status=StepStatus.FAILED, error="boom"),
        descendants=descendants_of(run_id=claim.run.pk, successors=successors),
        successors=successors,
    )


@pytest.mark.django_db(transaction=True)
def test_step_finish_two_failing_parents_skip_their_join_once(user: Any, inline_dispatcher: InlineDispatcher) -> None:
    url = "http://127.0.0.1:9/"
    graph = {
        "nodes": [start_node(), http_node("a", url), http_node("b", url), http_node("c", url), http_node("j", url)],
        "edges": [edge("start", "a"), edge("start", "b"), edge("start", "c"), edge("a", "j"), edge("b", "j")],
    }
    run, _ = run_start(owner=user, graph=graph)
    a, b, _c = (step_claim(step_id=Step.objects.get(run=run, node_id=n).pk) for n in "abc")
    assert a and b
    held, release, b_done = threading.Event(), threading.Event(), threading.Event()

    def fail_a_and_hold() -> None:
        with transaction.atomic():
            _fail(a)  # skips j; its row lock is held until this transaction ends
            held.set()
            release.wait(10)
        connections.close_all()

    def fail_b() -> None:
        _fail(b)  # sees j queued, then waits on a's lock
        b_done.set()
        connections.close_all()

    first = threading.Thread(target=fail_a_and_hold)
    first.start()
    assert held.wait(10)
    second = threading.Thread(target=fail_b)
    second.start()
    time.sleep(0.5)  # b reaches j's row lock while a still holds it
    assert not b_done.is_set()
    release.set()
    first.join(10)
    second.join(10)

    run.refresh_from_db()
    # c still runs: the run must stay open for it, one step (c) remaining.
    assert run.status == "running" and run.steps_remaining == 1
    assert RunEvent.objects.filter(run=run, type="step_skipped").count() == 1
    assert not RunEvent.objects.filter(run=run, type="run_failed").exists()
    assert Run.objects.get(pk=run.pk).finished_at is None
