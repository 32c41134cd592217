"""The RunStore contract, for the PostgreSQL store and the portable one, both on real PostgreSQL.

The races run two threads, the second forced to wait on a row lock the first holds, so each guard is
seen re-checked after a lock wait. The portable store on SQLite is covered end to end by
tests/integration/test_embedded_mode.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_start
from backend.runs.step_services import descendants_of, step_finish
from backend.runs.store import Claimed, Finished, RunStore, StepOutcome
from tests.support.graphs import edge, http_node, start_node
from tests.support.races import second_waits_for_first

URL = "http://127.0.0.1:9/"


def _run(user: Any, *edges: tuple[str, str]) -> Run:
    nodes = sorted({n for pair in edges for n in pair} - {"start"})
    graph = {"nodes": [start_node(), *(http_node(n, URL) for n in nodes)], "edges": [edge(a, b) for a, b in edges]}
    return run_start(owner=user, graph=graph)[0]


def _id(run: Run, node_id: str) -> int:
    return Step.objects.get(run=run, node_id=node_id).pk


def _claim(store: RunStore, run: Run, node_id: str) -> Claimed | None:
    return store.claim_step(step_id=_id(run, node_id), now=timezone.now())


def _finish(
    store: RunStore, claimed: Claimed, status: str = "succeeded", attempt: int | None = None
) -> Finished | None:
    step = claimed.step
    failed = status != "succeeded"
    return store.finish_step(
        StepOutcome(
            step_id=step.pk, run_id=step.run_id, node_id=step.node_id, attempt=attempt or step.attempt, status=status,
            output=None if failed else {"ok": True}, error="boom" if failed else "", duration_ms=1, drafts=[],
            successors=step.successors, now=timezone.now(),
            descendants=descendants_of(run_id=step.run_id, successors=step.successors) if failed else [],
        )
    )  # fmt: skip


def _claimed(store: RunStore, run: Run, *node_ids: str) -> list[Claimed]:
    claims = [_claim(store, run, n) for n in node_ids]
    assert all(claims)
    return [c for c in claims if c is not None]


def _events(run: Run) -> list[tuple[int, str]]:
    return list(RunEvent.objects.filter(run=run).order_by("seq").values_list("seq", "type"))


def _assert_event_log_whole(run: Run) -> None:
    run.refresh_from_db()
    assert [seq for seq, _ in _events(run)] == list(range(1, run.event_seq + 1))  # no hole, no duplicate


def test_store_claim_then_finish_fans_out_to_the_successors(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"), ("a", "b"), ("a", "c"))
    (a,) = _claimed(store, run, "a")
    assert (a.step.status, a.step.attempt, a.run.status, a.run.pk) == ("running", 1, "running", run.pk)
    assert a.run.payload == {} and _events(run)[-1] == (a.run.event_seq, "step_started")

    finished = _finish(store, a)
    assert finished is not None and not finished.closed and finished.run_status == "running"
    assert sorted(finished.ready) == sorted([_id(run, "b"), _id(run, "c")])
    run.refresh_from_db()
    assert (run.steps_remaining, finished.last_seq) == (2, run.event_seq)
    assert Step.objects.get(pk=_id(run, "b")).queued_at >= a.step.started_at
    _assert_event_log_whole(run)


def test_store_claim_carries_what_started_the_run(user: Any, store: RunStore) -> None:
    graph = {"nodes": [start_node(), http_node("a", URL)], "edges": [edge("start", "a")]}
    run, _ = run_start(owner=user, graph=graph, trigger="webhook", trigger_data={"query": {"ref": "main"}})
    (a,) = _claimed(store, run, "a")
    assert a.run.trigger_data == {"query": {"ref": "main"}}


def test_store_join_is_ready_once_after_both_parents(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"), ("start", "b"), ("a", "j"), ("b", "j"))
    a, b = _claimed(store, run, "a", "b")
    first, second = _finish(store, a), _finish(store, b)
    assert first is not None and first.ready == []
    assert second is not None and second.ready == [_id(run, "j")]


def test_store_double_delivery_claims_once(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"), ("start", "b"))
    assert _claim(store, run, "a") is not None
    assert _claim(store, run, "a") is None
    # Concurrently: the second claim waits on the first's row lock, then re-checks `queued`.
    results: list[Claimed | None] = []
    second_waits_for_first(
        lambda: results.append(_claim(store, run, "b")), lambda: results.append(_claim(store, run, "b"))
    )
    assert results[0] is not None and results[1] is None
    assert Step.objects.get(pk=_id(run, "b")).attempt == 1


def test_store_stale_attempt_finish_writes_nothing(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"), ("a", "b"))
    (first,) = _claimed(store, run, "a")
    assert store.requeue_step(step=first.step) is not None  # the reaper took the step back
    (second,) = _claimed(store, run, "a")
    assert second.step.attempt == 2
    assert _finish(store, first, attempt=1) is None
    assert step_finish(claim=_as_claim(first), outcome=_failure(), descendants=[], successors=[]) is False
    assert Step.objects.get(pk=first.step.pk).status == "running"
    finished = _finish(store, second)
    assert finished is not None and finished.ready == [_id(run, "b")]


def _as_claim(claimed: Claimed) -> Any:
    from backend.runs.step_services import Claim

    return Claim(step=claimed.step, run=claimed.run, attempt=claimed.step.attempt)


def _failure() -> Any:
    from backend.runs.step_services import Outcome

    return Outcome(status="failed", error="late")


def test_store_claim_waiting_on_a_cancel_claims_nothing(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"))
    results: list[Claimed | None] = []
    second_waits_for_first(lambda: store.cancel_run(run_id=run.pk), lambda: results.append(_claim(store, run, "a")))
    assert results == [None]
    step = Step.objects.get(pk=_id(run, "a"))
    assert (step.status, step.attempt) == ("cancelled", 0)
    assert Run.objects.get(pk=run.pk).status == "cancelled"


def test_store_cancel_waiting_on_a_claim_cancels_the_running_step(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"), ("a", "b"))
    claims: list[Claimed | None] = []
    second_waits_for_first(lambda: claims.append(_claim(store, run, "a")), lambda: store.cancel_run(run_id=run.pk))
    (claimed,) = claims
    assert claimed is not None
    assert dict(Step.objects.filter(run=run).values_list("node_id", "status")) == {
        "start": "succeeded", "a": "cancelled", "b": "cancelled",
    }  # fmt: skip
    assert _finish(store, claimed) is None  # the late finish of the cancelled step
    assert store.cancel_run(run_id=run.pk) is None
    assert _events(run)[-1][1] == "run_cancelled"
    _assert_event_log_whole(run)


def test_store_claim_of_a_step_whose_run_ended_cancels_it(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"))
    Run.objects.filter(pk=run.pk).update(status="failed")  # its deadline passed, say
    assert _claim(store, run, "a") is None
    assert Step.objects.get(pk=_id(run, "a")).status == "cancelled"


def test_store_two_failing_parents_skip_their_join_once(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"), ("start", "b"), ("start", "c"), ("a", "j"), ("b", "j"))
    a, b, _c = _claimed(store, run, "a", "b", "c")
    # a skips j and holds its row lock; b sees j queued, then waits on that lock.
    second_waits_for_first(lambda: _finish(store, a, "failed"), lambda: _finish(store, b, "failed"))
    run.refresh_from_db()
    # c still runs: the run stays open for it, one step (c) remaining, j counted once.
    assert (run.status, run.steps_remaining, run.steps_failed, run.finished_at) == ("running", 1, 2, None)
    assert [t for _, t in _events(run)].count("step_skipped") == 1
    _assert_event_log_whole(run)


def test_store_failure_skips_queued_descendants_and_the_last_finish_closes_failed(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"), ("a", "b"), ("b", "c"), ("start", "d"))
    a, d = _claimed(store, run, "a", "d")
    failed = _finish(store, a, "failed")
    assert failed is not None and failed.ready == [] and not failed.closed
    skips = list(
        RunEvent.objects.filter(run=run, type="step_skipped").order_by("seq").values_list("node_id", "message")
    )
    assert skips == [("b", "b skipped: a failed"), ("c", "c skipped: a failed")]  # in plan order
    run.refresh_from_db()
    assert (run.status, run.steps_remaining, run.steps_failed) == ("running", 1, 1)
    last = _finish(store, d)
    assert last is not None and last.closed and last.run_status == "failed"
    assert _events(run)[-1] == (last.last_seq, "run_failed")
    _assert_event_log_whole(run)


@pytest.mark.parametrize("reaper_first", [True, False])
def test_store_requeue_and_a_late_finish_one_wins(user: Any, store: RunStore, reaper_first: bool) -> None:
    run = _run(user, ("start", "a"))
    (a,) = _claimed(store, run, "a")
    results: dict[str, Any] = {}

    def requeue() -> None:
        results["requeue"] = store.requeue_step(step=a.step)

    def finish() -> None:
        results["finish"] = _finish(store, a)

    second_waits_for_first(requeue, finish) if reaper_first else second_waits_for_first(finish, requeue)
    step, run = Step.objects.get(pk=a.step.pk), Run.objects.get(pk=run.pk)
    if reaper_first:
        assert results["requeue"] is not None and results["finish"] is None
        assert (step.status, run.status) == ("queued", "running")
    else:
        assert results["finish"] is not None and results["requeue"] is None
        assert (step.status, run.status) == ("succeeded", "succeeded")
    _assert_event_log_whole(run)


@pytest.mark.parametrize(("first_status", "status"), [("succeeded", "succeeded"), ("failed", "failed")])
def test_store_last_finish_closes_once_with_the_terminal_event_last(
    user: Any, store: RunStore, first_status: str, status: str
) -> None:
    run = _run(user, ("start", "a"), ("start", "b"))
    a, b = _claimed(store, run, "a", "b")
    finishes: list[Finished | None] = []
    # a holds the run's row (its counters moved); b waits on it, then reads a's committed counters.
    second_waits_for_first(
        lambda: finishes.append(_finish(store, a, first_status)), lambda: finishes.append(_finish(store, b))
    )
    first, last = finishes
    assert first is not None and not first.closed and last is not None and last.closed
    run.refresh_from_db()
    assert (run.status, run.steps_remaining, last.run_status, last.last_seq) == (status, 0, status, run.event_seq)
    assert run.error == ("a step failed" if status == "failed" else "") and run.finished_at is not None
    assert [t for _, t in _events(run) if t.startswith("run_")] == ["run_queued", f"run_{status}"]
    assert _events(run)[-1] == (run.event_seq, f"run_{status}")
    assert store.close_run(run_id=run.pk, now=timezone.now()) is None
    _assert_event_log_whole(run)


def test_store_close_of_a_finished_run_happens_once(user: Any, store: RunStore) -> None:
    run = _run(user, ("start", "a"))
    (a,) = _claimed(store, run, "a")
    # Every step terminal, the run still active: what the reaper's close check finds.
    Step.objects.filter(pk=a.step.pk).update(status="failed")
    Run.objects.filter(pk=run.pk).update(steps_remaining=0, steps_failed=1)
    closes = [store.close_run(run_id=run.pk, now=timezone.now()) for _ in range(2)]
    assert closes[0] is not None and closes[0].status == "failed" and closes[1] is None
    assert _events(run)[-1] == (closes[0].seq, "run_failed")
    _assert_event_log_whole(run)


def test_store_append_events_numbers_after_the_last_event(user: Any, store: RunStore) -> None:
    from backend.events.publisher import EventDraft

    run = _run(user, ("start", "a"))
    before = Run.objects.get(pk=run.pk).event_seq
    last = store.append_events(run_id=run.pk, drafts=[EventDraft(type="log", message=m) for m in "xy"])
    assert last == before + 2 and _events(run)[-2:] == [(before + 1, "log"), (before + 2, "log")]
    with pytest.raises(LookupError):
        store.append_events(run_id="00000000-0000-0000-0000-000000000000", drafts=[EventDraft(type="log")])
