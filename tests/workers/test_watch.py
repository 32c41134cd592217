"""Heartbeats: stamped with the database clock, never waiting on rows a cancel or a finish holds."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from backend.runs.models import RunEvent, Step
from backend.runs.services import run_cancel, run_start
from backend.runs.step_services import step_claim
from tests.support.graphs import chain, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer
from workers.watch import steps_heartbeat


def _claimed(user: Any, *nodes: str) -> tuple[Any, dict[int, int]]:
    graph = {"nodes": [start_node(), *(http_node(n, "http://127.0.0.1:9/") for n in nodes)], "edges": []}
    run, _ = run_start(owner=user, graph=graph)
    owned = {}
    for node in nodes:
        claim = step_claim(step_id=Step.objects.get(run=run, node_id=node).pk)
        assert claim is not None
        owned[claim.step.pk] = claim.attempt
    Step.objects.filter(run=run).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    return run, owned


def test_steps_heartbeat_stamps_owned_steps_and_reports_them_alive(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    _, owned = _claimed(user, "a", "b")
    stale = {**owned, next(iter(owned)): 99}  # an attempt this process no longer owns
    alive = steps_heartbeat(owned=owned)
    assert alive == set(owned)
    assert steps_heartbeat(owned=stale) == set(owned) - {next(iter(owned))}
    fresh = Step.objects.filter(pk__in=owned, heartbeat_at__gt=timezone.now() - timedelta(minutes=1)).count()
    assert fresh == 2


def test_steps_heartbeat_of_a_cancelled_run_is_not_alive(user: Any, inline_dispatcher: InlineDispatcher) -> None:
    run, owned = _claimed(user, "a")
    run_cancel(run=run)
    assert steps_heartbeat(owned=owned) == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
def test_steps_heartbeat_skips_a_locked_row_without_waiting_and_keeps_it_alive(
    user: Any, inline_dispatcher: InlineDispatcher
) -> None:
    _, owned = _claimed(user, "a", "b")
    locked_id = min(owned)
    holding, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with transaction.atomic():
            list(Step.objects.select_for_update().filter(pk=locked_id))
            holding.set()
            release.wait(10)
        connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert holding.wait(10)
    try:
        alive = steps_heartbeat(owned=owned)  # would block (or deadlock) if it waited for the lock
    finally:
        release.set()
        holder.join(10)
    assert alive == set(owned)
    stamped = set(
        Step.objects.filter(pk__in=owned, heartbeat_at__gt=timezone.now() - timedelta(minutes=1)).values_list(
            "pk", flat=True
        )
    )
    assert stamped == set(owned) - {locked_id}


def test_watcher_fences_a_step_whose_lease_it_cannot_renew(
    user: Any, inline_dispatcher: InlineDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is unreachable for the heartbeat: the step stops its request and writes nothing,
    so the reaper can hand it to another worker without the request ever being in flight twice."""
    from workers import watch

    monkeypatch.setitem(settings.AUTOMATEOS, "STEP_STALE_S", 1.0)

    def unreachable(**_: Any) -> set[int]:
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(watch, "steps_heartbeat", unreachable)
    with StubServer() as stub:
        stub.route("GET", "/slow", delay=8, json={"ok": True})
        run, _ = run_start(
            owner=user,
            graph={
                "nodes": [start_node(), http_node("a", f"{stub.url}/slow", retries=0)],
                "edges": chain("start", "a"),
            },
        )
        began = time.monotonic()
        inline_dispatcher.drain()
        took = time.monotonic() - began
    step = Step.objects.get(run=run, node_id="a")
    assert took < 6, "the request was not broken off"
    assert (step.status, step.attempt, step.finished_at) == ("running", 1, None)  # left for the reaper
    # Only what it was doing may have been stored while it ran (its request line); no outcome.
    assert not RunEvent.objects.filter(run=run, node_id="a").exclude(type__in=["step_started", "log"]).exists()
