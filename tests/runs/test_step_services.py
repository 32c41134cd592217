"""step_services under concurrency: two failing parents skip their join once, the run closes once."""

from __future__ import annotations

from typing import Any

import pytest

from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_start
from backend.runs.states import StepStatus
from backend.runs.step_services import Claim, Outcome, descendants_of, step_claim, step_finish
from tests.support.graphs import edge, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.races import second_waits_for_first


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
    # a skips j and holds its row lock; b sees j queued, then waits on that lock.
    second_waits_for_first(lambda: _fail(a), lambda: _fail(b))

    run.refresh_from_db()
    # c still runs: the run must stay open for it, one step (c) remaining.
    assert run.status == "running" and run.steps_remaining == 1
    assert RunEvent.objects.filter(run=run, type="step_skipped").count() == 1
    assert not RunEvent.objects.filter(run=run, type="run_failed").exists()
    assert Run.objects.get(pk=run.pk).finished_at is None


def _close_run_via_last_finish(user: Any, *, fail_first: bool) -> tuple[Run, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "http://127.0.0.1:9/"
    graph = {"nodes": [start_node(), http_node("a", url), http_node("b", url)], "edges": [edge("start", "a")]}
    run, _ = run_start(owner=user, graph=graph)
    a, b = (step_claim(step_id=Step.objects.get(run=run, node_id=n).pk) for n in "ab")
    assert a and b
    if fail_first:
        _fail(a)
    else:
        step_finish(claim=a, outcome=Outcome(status=StepStatus.SUCCEEDED, output={}), descendants=[], successors=[])
    with CaptureQueriesContext(connection) as captured:
        step_finish(claim=b, outcome=Outcome(status=StepStatus.SUCCEEDED, output={}), descendants=[], successors=[])
    return Run.objects.get(pk=run.pk), [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize(("fail_first", "status", "level"), [(False, "succeeded", "info"), (True, "failed", "error")])
def test_step_finish_of_the_last_step_closes_the_run_in_the_same_statement(
    user: Any, inline_dispatcher: InlineDispatcher, fail_first: bool, status: str, level: str
) -> None:
    run, statements = _close_run_via_last_finish(user, fail_first=fail_first)
    assert len(statements) == 1  # the finish, its successors, the run's counters, its events and the close
    assert run.status == status and run.finished_at is not None and run.steps_remaining == 0
    assert run.error == ("a step failed" if fail_first else "")
    last = RunEvent.objects.filter(run=run).order_by("-seq").first()
    assert last is not None and (last.type, last.level, last.seq) == (f"run_{status}", level, run.event_seq)
    seqs = list(RunEvent.objects.filter(run=run).values_list("seq", flat=True))
    assert seqs == list(range(1, run.event_seq + 1))  # no hole, no duplicate


def test_step_finish_last_success_sees_a_failure_committed_while_it_waited(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    url = "http://127.0.0.1:9/"
    graph = {"nodes": [start_node(), http_node("a", url), http_node("b", url)], "edges": [edge("start", "a")]}
    run, _ = run_start(owner=user, graph=graph)
    a, b = (step_claim(step_id=Step.objects.get(run=run, node_id=n).pk) for n in "ab")
    assert a and b

    def succeed_b() -> None:
        step_finish(claim=b, outcome=Outcome(status=StepStatus.SUCCEEDED, output={}), descendants=[], successors=[])

    # a holds the run's row (its counters moved); b's one statement, whose snapshot predates a's
    # commit, waits on that row: only the locked row's counter can tell it that a failed.
    second_waits_for_first(lambda: _fail(a), succeed_b)

    run.refresh_from_db()
    assert (run.status, run.steps_remaining, run.steps_failed, run.error) == ("failed", 0, 1, "a step failed")
    assert list(RunEvent.objects.filter(run=run, type__startswith="run_").values_list("type", flat=True)) == [
        "run_queued",
        "run_failed",
    ]


def test_run_close_a_second_time_changes_nothing(user: Any, inline_dispatcher: InlineDispatcher) -> None:
    from backend.runs.step_services import run_close

    run, _ = _close_run_via_last_finish(user, fail_first=False)
    assert run_close(run_id=run.pk) is False
    again = Run.objects.get(pk=run.pk)
    assert (again.status, again.event_seq, again.finished_at) == (run.status, run.event_seq, run.finished_at)
    assert RunEvent.objects.filter(run=run, type__startswith="run_s").values_list("type", flat=True).count() == 1
