"""The reaper's sweep: each state a lost worker or message can leave behind is repaired exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from backend.runs.models import Run, RunEvent, Step
from backend.runs.recovery import sweep
from backend.runs.services import run_cancel, run_start
from backend.runs.step_services import step_claim
from backend.runs.store import StepOutcome, get_store
from backend.runs.store.postgresql import PostgreSQLStore
from tests.support.graphs import chain, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer

LONG_AGO = timedelta(days=2)


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        server.route("ANY", "/ok", json={"ok": True})
        yield server


def _started(user: Any, dispatcher: InlineDispatcher, url: str, *nodes: str) -> tuple[Run, Step]:
    """A run start → nodes… whose first HTTP step a worker claimed (and then, say, died in)."""
    graph = {"nodes": [start_node(), *(http_node(n, f"{url}/ok") for n in nodes)], "edges": chain("start", *nodes)}
    run, _ = run_start(owner=user, graph=graph)
    dispatcher.queue.clear()  # the worker took the message with it
    claim = step_claim(step_id=Step.objects.get(run=run, node_id=nodes[0]).pk)
    assert claim is not None
    return run, claim.step


def _types(run: Run) -> list[str]:
    return list(RunEvent.objects.filter(run=run).values_list("type", flat=True))


def test_sweep_requeues_a_step_whose_heartbeat_went_stale(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    run, step = _started(user, inline_dispatcher, stub.url, "a", "b")
    Step.objects.filter(pk=step.pk).update(heartbeat_at=timezone.now() - LONG_AGO)

    assert sweep().requeued == 1
    assert Step.objects.get(pk=step.pk).status == "queued"
    assert "step_requeued" in _types(run)
    inline_dispatcher.drain()
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert Step.objects.get(pk=step.pk).attempt == 2
    assert sweep().requeued == 0


def test_sweep_fails_the_run_when_a_step_used_its_last_attempt(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    run, step = _started(user, inline_dispatcher, stub.url, "a", "b")
    last = settings.AUTOMATEOS["STEP_MAX_ATTEMPTS"]
    Step.objects.filter(pk=step.pk).update(attempt=last, heartbeat_at=timezone.now() - LONG_AGO)

    assert sweep().failed_lost == 1
    run.refresh_from_db()
    assert run.status == "failed"
    assert dict(Step.objects.filter(run=run).values_list("node_id", "status")) == {
        "start": "succeeded",
        "a": "failed",
        "b": "skipped",
    }
    assert f"worker lost ({last} attempts)" in Step.objects.get(pk=step.pk).error


def test_sweep_republishes_a_ready_step_whose_message_was_lost(user: Any, inline_dispatcher: InlineDispatcher) -> None:
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), http_node("a", "http://127.0.0.1:9/")], "edges": []})
    step = Step.objects.get(run=run, node_id="a")
    inline_dispatcher.queue.clear()
    Step.objects.filter(pk=step.pk).update(queued_at=timezone.now() - LONG_AGO)

    assert sweep().republished == 1
    assert list(inline_dispatcher.queue) == [step.pk]
    assert sweep().republished == 0  # re-stamped: once per threshold, not on every sweep


def test_sweep_closes_a_run_whose_last_step_finished_but_never_closed_it(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    run, step = _started(user, inline_dispatcher, stub.url, "a")
    # Left by an earlier version, whose fast finish committed before a separate close that a killed
    # worker never ran: every step terminal, nothing remaining, the run still running.
    Step.objects.filter(pk=step.pk).update(status="succeeded", finished_at=timezone.now())
    Run.objects.filter(pk=run.pk).update(steps_remaining=0)

    assert sweep().finished == 1
    run.refresh_from_db()
    assert run.status == "succeeded" and run.finished_at
    assert _types(run).count("run_succeeded") == 1
    assert sweep().finished == 0


def test_fast_finish_of_the_last_step_closes_the_run_in_the_same_statement(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    run, step = _started(user, inline_dispatcher, stub.url, "a")
    store = get_store()
    assert isinstance(store, PostgreSQLStore)
    result = store.finish_step(
        StepOutcome(
            step_id=step.pk, run_id=run.pk, node_id="a", attempt=step.attempt, status="succeeded",
            output={"status": 200}, error="", duration_ms=1, drafts=[], successors=[], descendants=[],
            now=timezone.now(),
        )
    )  # fmt: skip
    assert result is not None and result.closed and result.run_status == "succeeded"
    run.refresh_from_db()
    assert run.status == "succeeded" and run.finished_at and run.event_seq == result.last_seq
    assert run.steps_remaining == 0
    assert _types(run)[-1] == "run_succeeded"
    assert sweep().finished == 0  # nothing left for the reaper


def test_sweep_fails_a_run_past_its_maximum_duration(user: Any, inline_dispatcher: InlineDispatcher) -> None:
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), http_node("a", "http://127.0.0.1:9/")], "edges": []})
    Run.objects.filter(pk=run.pk).update(created_at=timezone.now() - LONG_AGO * 30)

    assert sweep().timed_out == 1
    run.refresh_from_db()
    assert run.status == "failed" and run.error == "maximum run duration exceeded"
    assert Step.objects.get(run=run, node_id="a").status == "cancelled"


def test_sweep_cancels_a_dead_workers_step_of_a_run_that_already_ended(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    run, step = _started(user, inline_dispatcher, stub.url, "a")
    Run.objects.filter(pk=run.pk).update(status="failed")  # ended another way while the worker died
    Step.objects.filter(pk=step.pk).update(heartbeat_at=timezone.now() - LONG_AGO)

    report = sweep()
    assert (report.closed, report.requeued) == (1, 0)
    assert Step.objects.get(pk=step.pk).status == "cancelled"


def test_sweep_leaves_healthy_and_cancelled_runs_alone(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    running, _ = _started(user, inline_dispatcher, stub.url, "a")
    cancelled, _ = _started(user, inline_dispatcher, stub.url, "a")
    run_cancel(run=cancelled)

    assert not sweep().any()
    assert Run.objects.get(pk=running.pk).status == "running"
    assert Run.objects.get(pk=cancelled.pk).status == "cancelled"


def test_sweep_a_failing_check_does_not_hold_up_the_others(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.runs import recovery

    _, step = _started(user, inline_dispatcher, stub.url, "a")
    Step.objects.filter(pk=step.pk).update(heartbeat_at=timezone.now() - LONG_AGO)
    old, _ = run_start(owner=user, graph={"nodes": [start_node(), http_node("b", "http://127.0.0.1:9/")], "edges": []})
    Run.objects.filter(pk=old.pk).update(created_at=timezone.now() - LONG_AGO * 30)

    def broken(step: Step) -> int:
        raise RuntimeError("deadlock detected")

    monkeypatch.setattr(recovery, "_requeue", broken)
    report = sweep()
    assert report.requeued == 0 and report.timed_out == 1
    assert Run.objects.get(pk=old.pk).status == "failed"
    assert Step.objects.get(pk=step.pk).status == "running"  # tried again next sweep
