"""Deadlines: one shared thread fires each deadline on time, never a cancelled one."""

from __future__ import annotations

import threading
import time

from workers.executors.deadlines import Deadlines


def _fired_at(deadlines: Deadlines, delay_s: float) -> tuple[threading.Event, list[float]]:
    fired, at = threading.Event(), []
    deadlines.schedule(delay_s, lambda: (at.append(time.monotonic()), fired.set()))
    return fired, at


def test_deadlines_fire_after_their_delay() -> None:
    deadlines = Deadlines()
    began = time.monotonic()
    fired, at = _fired_at(deadlines, 0.2)
    assert fired.wait(5)
    assert at[0] - began >= 0.2


def test_deadlines_an_earlier_one_scheduled_later_still_fires_first() -> None:
    deadlines = Deadlines()
    late, _ = _fired_at(deadlines, 30)
    time.sleep(0.05)  # the thread now sleeps towards the 30 s deadline
    early, _ = _fired_at(deadlines, 0.1)
    assert early.wait(5)
    assert not late.is_set()


def test_deadlines_cancelled_never_fires() -> None:
    deadlines = Deadlines()
    calls: list[int] = []
    deadlines.schedule(0.1, lambda: calls.append(1)).cancel()
    fired, _ = _fired_at(deadlines, 0.3)
    assert fired.wait(5)
    assert calls == []


def test_deadlines_a_failing_callback_does_not_stop_the_others() -> None:
    deadlines = Deadlines()

    def boom() -> None:
        raise RuntimeError("callback failed")

    deadlines.schedule(0.05, boom)
    fired, _ = _fired_at(deadlines, 0.1)
    assert fired.wait(5)


def test_deadlines_many_cancelled_entries_are_compacted() -> None:
    deadlines = Deadlines()
    for _ in range(3000):
        deadlines.schedule(60, lambda: None).cancel()
    assert len(deadlines._heap) <= 1100
