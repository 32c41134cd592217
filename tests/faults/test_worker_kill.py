"""SIGKILL the worker again and again mid-batch: every run ends, no step ever runs twice at once."""

from __future__ import annotations

import itertools
import random
import signal
import time
import uuid
from collections import defaultdict
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_start
from backend.runs.states import RUN_TERMINAL, STEP_TERMINAL
from tests.support.faults import reaper_totals, running_reaper, settle
from tests.support.graphs import edge, http_node, start_node
from tests.support.target import Seen, serving_target
from tests.support.worker import running_worker, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

RUNS = 40
KILLS = 4


FAILING_EVERY = 4  # every fourth run's branch c answers 500, so kills also land on failure paths


def _graph(url: str, run_index: int) -> dict[str, Any]:
    """start → a → (b, c) → d: a fork and a join, and in some runs a failing branch that skips d."""
    nodes = [start_node()]
    for node in "abcd":
        delay = random.choice((0.2, 0.3, 0.4))
        fail = node == "c" and _fails(run_index)
        query = f"name=r{run_index}-{node}&delay={delay}" + ("&status=500" if fail else "")
        nodes.append(http_node(node, f"{url}/step?{query}", **({"retries": 0} if fail else {})))
    edges = [edge("start", "a"), edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("c", "d")]
    return {"nodes": nodes, "edges": edges}


def _fails(run_index: int) -> bool:
    return run_index % FAILING_EVERY == 0


def _overlaps(seen: list[Seen]) -> list[str]:
    """(run, node) pairs whose recorded requests overlapped in time: a step running twice at once."""
    by_name: dict[str, list[Seen]] = defaultdict(list)
    for hit in seen:
        by_name[hit.query.get("name", "")].append(hit)
    bad = []
    for name, hits in by_name.items():
        hits.sort(key=lambda h: h.started)
        bad += [name for prev, nxt in itertools.pairwise(hits) if nxt.started < (prev.ended or 1e18)]
    return bad


def test_worker_sigkill_loses_no_run_and_never_overlaps_a_step(
    owner: Any, shrunk_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A killed worker leaves the target writing to a dead socket: expected, so not worth a traceback.
    monkeypatch.setattr(ThreadingHTTPServer, "handle_error", lambda *args: None)
    random.seed(7)
    began = time.monotonic()
    with serving_target() as target, running_reaper(shrunk_env) as reaper_log:
        run_ids = [str(run_start(owner=owner, graph=_graph(target.url, i))[0].pk) for i in range(RUNS)]
        kills = 0
        for _ in range(KILLS):
            with running_worker(concurrency=8, extra_env=shrunk_env) as worker:
                # Kill only while steps are in flight, so the kill always cuts work short.
                wait_for(lambda: Step.objects.filter(run_id__in=run_ids, status="running").exists(), timeout=30)
                time.sleep(random.uniform(0.5, 1.5))
                in_flight = Step.objects.filter(run_id__in=run_ids, status="running").count()
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)
                kills += 1
                print(f"FIGURE kill {kills}: SIGKILL with {in_flight} steps running")
        with running_worker(concurrency=8, extra_env=shrunk_env):
            settle(lambda: Run.objects.filter(pk__in=run_ids, status__in=RUN_TERMINAL).count() == RUNS, timeout=120)
            time.sleep(0.5)
        seen = list(target.seen)
    elapsed = time.monotonic() - began

    runs = dict(Run.objects.filter(pk__in=run_ids).values_list("pk", "status"))
    lost = [str(pk) for pk, status in runs.items() if status not in RUN_TERMINAL]
    statuses = defaultdict(int)
    for status in runs.values():
        statuses[status] += 1
    unsettled = Step.objects.filter(run_id__in=run_ids).exclude(status__in=STEP_TERMINAL).count()
    requeued = RunEvent.objects.filter(run_id__in=run_ids, type="step_requeued").count()
    reruns = sum(max(0, n - 1) for n in _counts(seen).values())
    overlaps = _overlaps(seen)
    totals = reaper_totals(reaper_log)
    print(f"FIGURE runs lost: {len(lost)} of {RUNS} ({KILLS} SIGKILLs, {elapsed:.0f}s)")
    print(f"FIGURE run outcomes: {dict(statuses)}")
    print(f"FIGURE steps re-queued after a lost worker: {requeued}")
    print(f"FIGURE lost messages re-published by the watchdog: {totals.get('republished', 0)}")
    print(f"FIGURE steps whose request was sent again after a kill: {reruns}")
    print(f"FIGURE steps that ran twice concurrently: {len(overlaps)}")
    assert not lost, f"runs never finished: {_describe(lost)}"
    assert unsettled == 0, "a finished run still has queued or running steps"
    assert not overlaps, f"steps ran twice at once: {overlaps}"
    expected = {i: "failed" if _fails(i) else "succeeded" for i in range(RUNS)}
    assert {i: runs[uuid.UUID(run_id)] for i, run_id in enumerate(run_ids)} == expected
    skipped = Step.objects.filter(run_id__in=run_ids, node_id="d", status="skipped").count()
    assert skipped == sum(map(_fails, range(RUNS))), "every failing run skips its join, no other does"


def _counts(seen: list[Seen]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for hit in seen:
        counts[hit.query.get("name", "")] += 1
    return counts


def _describe(run_ids: list[str]) -> dict[str, Any]:
    """What a lost run was left as: its status and remaining count, each step's status and attempt."""
    return {
        run_id: {
            "run": Run.objects.values_list("status", "steps_remaining").get(pk=run_id),
            "steps": list(Step.objects.filter(run_id=run_id).values_list("node_id", "status", "attempt")),
        }
        for run_id in run_ids
    }
