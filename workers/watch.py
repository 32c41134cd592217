"""One watcher thread per worker process: heartbeats for running steps, and cancel detection.

A single thread and a single statement pair per interval serve every step in flight, so liveness
costs nothing per node on the hot path, however many nodes run at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from backend.core.types import Uuid
from backend.events.publisher import EventDraft, append_events
from backend.runs.store import get_store

logger = logging.getLogger(__name__)


def steps_heartbeat(*, owned: Mapping[int, int]) -> set[int]:
    """Stamp the heartbeat of every step this process still owns; return those whose run is active.

    A step left out was cancelled or taken over by a newer attempt, so its executor must stop. A
    cancelled run's step still gets its heartbeat: it is winding down, not lost. Rows a cancel or a
    finish holds are skipped, not waited for (the run store's `heartbeat`).
    """
    return get_store().heartbeat(owned=owned)


@dataclass
class Watch:
    step_id: int
    attempt: int
    stopped: threading.Event = field(default_factory=threading.Event)
    abort_hooks: list[Callable[[], None]] = field(default_factory=list)
    # The claim stamped a heartbeat, so the lease runs from here until a heartbeat renews it.
    renewed: float = field(default_factory=time.monotonic)
    lease_lost: bool = False
    # The step's log lines as the node writes them. Lines still unwritten after a while (a slow or
    # stuck request) are stored by the watcher, so a step that is cancelled, or whose worker dies,
    # still shows what it was doing; `flushed` counts the lines stored so far.
    run_id: Uuid | None = None
    lines: list[EventDraft] = field(default_factory=list)
    redact: Callable[[EventDraft], EventDraft] | None = None
    flushed: int = 0
    closed: bool = False
    lines_lock: threading.Lock = field(default_factory=threading.Lock)

    def flush_lines(self, *, older_than: timedelta) -> None:
        """Store the unwritten lines once the oldest of them is `older_than` old."""
        with self.lines_lock:
            pending = self.lines[self.flushed :]
            if self.closed or self.redact is None or self.run_id is None or not pending:
                return
            if pending[0].ts is not None and pending[0].ts > timezone.now() - older_than:
                return
            with transaction.atomic():
                append_events(run_id=self.run_id, drafts=[self.redact(line) for line in pending])
            self.flushed += len(pending)

    def take_unflushed(self) -> list[EventDraft]:
        """The lines the watcher did not store, for the step's finish; no flush happens after this."""
        with self.lines_lock:
            self.closed = True
            return self.lines[self.flushed :]

    def stop(self, *, lease_lost: bool = False) -> None:
        """Cancelled, or this attempt lost the step: wake the executor and break its I/O."""
        if self.stopped.is_set():
            return
        self.lease_lost = lease_lost
        self.stopped.set()
        for hook in list(self.abort_hooks):
            try:
                hook()
            except Exception as exc:  # an abort hook failing must not kill the watcher
                logger.warning("abort hook failed: %s", type(exc).__name__)


class Watcher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: dict[int, Watch] = {}
        self._thread: threading.Thread | None = None

    @contextmanager
    def watching(self, step_id: int, attempt: int) -> Iterator[Watch]:
        watch = Watch(step_id=step_id, attempt=attempt)
        with self._lock:
            self._watches[step_id] = watch
            self._ensure_thread()
        try:
            yield watch
        finally:
            with self._lock:
                self._watches.pop(step_id, None)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="aos-step-watcher", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        interval = settings.AUTOMATEOS["HEARTBEAT_INTERVAL_S"]
        while True:
            threading.Event().wait(interval)
            with self._lock:
                watches = dict(self._watches)
            if not watches:
                # Idle: give the connection back so an idle worker holds none open.
                connections.close_all()
                continue
            try:
                close_old_connections()
                self._flush(watches.values(), interval)
                alive = steps_heartbeat(owned={w.step_id: w.attempt for w in watches.values()})
            except Exception as exc:  # the database may be restarting: try again next tick
                logger.warning("heartbeat failed: %s", type(exc).__name__)
                connections.close_all()
                self._fence(watches.values())
                continue
            renewed = time.monotonic()
            for step_id, watch in watches.items():
                if step_id not in alive:
                    # Cancelled: its finish will write nothing, so what it was doing is stored now.
                    self._flush([watch], 0.0)
                    watch.stop()
                else:
                    watch.renewed = renewed

    @staticmethod
    def _flush(watches: Iterable[Watch], interval: float) -> None:
        # Lines younger than half a tick are left to the step's own finish: a fast node never pays.
        older_than = timedelta(seconds=interval / 2)
        for watch in watches:
            try:
                watch.flush_lines(older_than=older_than)
            except Exception as exc:  # one run's trouble must not stop the others' heartbeats
                logger.warning("step %s: log lines not stored yet: %s", watch.step_id, type(exc).__name__)

    @staticmethod
    def _fence(watches: Iterable[Watch]) -> None:
        """Stop steps whose lease this process could not renew for half the stale time: the reaper
        may hand them to another worker once their heartbeat is stale, and the same request must
        never be in flight twice. Such a step writes nothing; the reaper re-queues it."""
        expiry = time.monotonic() - settings.AUTOMATEOS["STEP_STALE_S"] / 2
        for watch in watches:
            if watch.renewed < expiry:
                logger.warning("step %s: lease not renewed; stopping it for the reaper to re-queue", watch.step_id)
                watch.stop(lease_lost=True)


WATCHER = Watcher()
