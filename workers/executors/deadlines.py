"""One thread for every HTTP attempt's deadline, instead of a timer thread started per attempt.

A `threading.Timer` is a new OS thread, started and cancelled on every attempt of every node. This
keeps a heap of deadlines for one daemon thread, which sleeps
until the earliest and is woken only when an earlier one arrives; a cancel just marks its entry.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)
# Cancelled entries wait in the heap until their time comes; past this many, the heap is rebuilt.
_COMPACT_AT = 1024


@dataclass(order=True)
class Deadline:
    due: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Deadlines:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[Deadline] = []
        self._seq = itertools.count()
        self._sleeping_until = -math.inf  # -inf: awake, it will look at the heap before sleeping
        self._pid = 0

    def schedule(self, delay_s: float, callback: Callable[[], None]) -> Deadline:
        """Call `callback` (on the deadline thread) `delay_s` seconds from now, unless cancelled."""
        entry = Deadline(time.monotonic() + max(delay_s, 0.0), next(self._seq), callback)
        with self._cond:
            self._ensure_thread()
            heapq.heappush(self._heap, entry)
            if len(self._heap) > _COMPACT_AT and sum(e.cancelled for e in self._heap) > len(self._heap) // 2:
                self._heap = [e for e in self._heap if not e.cancelled]
                heapq.heapify(self._heap)
            if entry.due < self._sleeping_until:
                self._cond.notify()
        return entry

    def _ensure_thread(self) -> None:
        # A forked child has the heap but not the thread: it starts afresh.
        if self._pid != os.getpid():
            self._heap, self._pid, self._sleeping_until = [], os.getpid(), -math.inf
            threading.Thread(target=self._run, name="aos-http-deadlines", daemon=True).start()

    def _run(self) -> None:
        while True:
            for entry in self._next_due():
                try:
                    entry.callback()
                except Exception as exc:  # one failing callback must not stop every other deadline
                    logger.warning("deadline callback failed: %s", type(exc).__name__)

    def _next_due(self) -> list[Deadline]:
        """Sleep until some deadlines are due; return them (cancelled ones are dropped on the way)."""
        with self._cond:
            while True:
                now, due = time.monotonic(), []
                while self._heap and (self._heap[0].cancelled or self._heap[0].due <= now):
                    entry = heapq.heappop(self._heap)
                    if not entry.cancelled:
                        due.append(entry)
                if due:
                    return due
                self._sleeping_until = self._heap[0].due if self._heap else math.inf
                self._cond.wait(None if not self._heap else self._sleeping_until - now)
                self._sleeping_until = -math.inf


DEADLINES = Deadlines()
