"""The RunStore contract for a success that took only some outputs: untaken sides are skipped, joins run once."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_start
from backend.runs.store import Claimed, Finished, RunStore, StepOutcome
from tests.support.graphs import edge, http_node, start_node

URL = "http://127.0.0.1:9/"
# b decides; x is its taken side, y → y2 its other side; j joins both sides.
EDGES = [("start", "b"), ("b", "x"), ("b", "y"), ("y", "y2"), ("x", "j"), ("y2", "j")]


def _run(user: Any) -> Run:
    nodes = ["b", "x", "y", "y2", "j"]
    graph = {"nodes": [start_node(), *(http_node(n, URL) for n in nodes)], "edges": [edge(a, b) for a, b in EDGES]}
    return run_start(owner=user, graph=graph)[0]


def _claim(store: RunStore, run: Run, node_id: str) -> Claimed:
    claimed = store.claim_step(step_id=Step.objects.get(run=run, node_id=node_id).pk, now=timezone.now())
    assert claimed is not None
    return claimed


def _finish(store: RunStore, claimed: Claimed, *, live: list[str], dead: list[str]) -> Finished | None:
    step = claimed.step
    return store.finish_step(
        StepOutcome(
            step_id=step.pk, run_id=step.run_id, node_id=step.node_id, attempt=step.attempt, status="succeeded",
            output={"result": True}, error="", duration_ms=1, drafts=[], successors=live, descendants=[],
            now=timezone.now(), dead=dead,
        )
    )  # fmt: skip


def _statuses(run: Run) -> dict[str, str]:
    return dict(Step.objects.filter(run=run).values_list("node_id", "status"))


def test_store_branching_skips_the_untaken_side_and_runs_the_join_once(user: Any, store: RunStore) -> None:
    run = _run(user)
    decided = _finish(store, _claim(store, run, "b"), live=["x"], dead=["y"])
    assert decided is not None
    assert decided.ready == [Step.objects.get(run=run, node_id="x").pk] and not decided.closed
    assert _statuses(run) == {"start": "succeeded", "b": "succeeded", "x": "queued", "y": "skipped",
                              "y2": "skipped", "j": "queued"}  # fmt: skip
    joined = _finish(store, _claim(store, run, "x"), live=["j"], dead=[])
    assert joined is not None and joined.ready == [Step.objects.get(run=run, node_id="j").pk]
    last = _finish(store, _claim(store, run, "j"), live=[], dead=[])
    assert last is not None and last.closed and last.run_status == "succeeded"
    run.refresh_from_db()
    assert (run.status, run.steps_remaining, run.steps_failed) == ("succeeded", 0, 0)
    events = list(RunEvent.objects.filter(run=run).order_by("seq").values_list("seq", "type", "node_id"))
    assert [seq for seq, _, _ in events] == list(range(1, run.event_seq + 1))
    assert [(t, n) for _, t, n in events if t == "step_skipped"] == [("step_skipped", "y"), ("step_skipped", "y2")]
    assert events[-1][1] == "run_succeeded"


def test_store_branching_with_no_output_taken_skips_everything_after_and_closes(user: Any, store: RunStore) -> None:
    run = _run(user)
    finished = _finish(store, _claim(store, run, "b"), live=[], dead=["x", "y"])
    assert finished is not None and finished.ready == [] and finished.closed and finished.run_status == "succeeded"
    assert _statuses(run) == {"start": "succeeded", "b": "succeeded", "x": "skipped", "y": "skipped",
                              "y2": "skipped", "j": "skipped"}  # fmt: skip
    run.refresh_from_db()
    assert run.steps_remaining == 0 and RunEvent.objects.filter(run=run, type="run_succeeded").count() == 1


def test_store_branching_stale_attempt_writes_nothing(user: Any, store: RunStore) -> None:
    run = _run(user)
    claimed = _claim(store, run, "b")
    Step.objects.filter(pk=claimed.step.pk).update(attempt=claimed.step.attempt + 1)  # the reaper re-queued it
    assert _finish(store, claimed, live=["x"], dead=["y"]) is None
    assert _statuses(run)["y"] == "queued"


def _merge_run(user: Any, mode: str) -> Run:
    merge = {"id": "m", "type": "merge", "config": {"mode": mode}}
    nodes = [start_node(), *(http_node(n, URL) for n in ("a", "b", "c")), merge]
    edges = [("start", "a"), ("start", "b"), ("start", "c"), ("a", "m"), ("b", "m"), ("c", "m")]
    return run_start(owner=user, graph={"nodes": nodes, "edges": [edge(x, y) for x, y in edges]})[0]


def test_store_branching_merge_first_is_ready_on_its_first_input_only(user: Any, store: RunStore) -> None:
    run = _merge_run(user, "first")
    merge_id = Step.objects.get(run=run, node_id="m").pk
    first = _finish(store, _claim(store, run, "b"), live=["m"], dead=[])
    assert first is not None and first.ready == [merge_id]
    second = _finish(store, _claim(store, run, "a"), live=["m"], dead=[])
    assert second is not None and second.ready == []  # the merge was readied once


def test_store_branching_merge_all_waits_for_every_input_not_skipped(user: Any, store: RunStore) -> None:
    run = _merge_run(user, "all")
    merge_id = Step.objects.get(run=run, node_id="m").pk
    assert _finish(store, _claim(store, run, "a"), live=["m"], dead=[]).ready == []  # type: ignore[union-attr]
    assert _finish(store, _claim(store, run, "b"), live=[], dead=["m"]).ready == []  # type: ignore[union-attr]
    last = _finish(store, _claim(store, run, "c"), live=["m"], dead=[])
    assert last is not None and last.ready == [merge_id]
