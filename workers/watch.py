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

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.db.models.functions import Now

from backend.runs.models import Step
from backend.runs.states import RUN_ACTIVE, StepStatus

logger = logging.getLogger(__name__)


def steps_heartbeat(*, owned: Mapping[int, int]) -> set[int]:
    """Stamp the heartbeat of every step this process still owns; return those whose run is active.

    A step left out was cancelled or taken over by a newer attempt, so its executor must stop. A
    cancelled run's step still gets its heartbeat: it is winding down, not lost.
    """
    if not owned:
        return set()
    mine = Q()
    for step_id, attempt in owned.items():
        mine |= Q(pk=step_id, attempt=attempt)
    rows = Step.objects.filter(mine, status=StepStatus.RUNNING)
    with transaction.atomic():
        # Rows a cancel or a finish holds are skipped, not waited for: waiting, in another order
        # than theirs, deadlocked against a cancel; the next tick stamps them. The database clock,
        # which the reaper reads too, so a worker host whose clock lags is not taken for dead.
        free = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
        if free:
            Step.objects.filter(pk__in=free).update(heartbeat_at=Now())
    return set(rows.filter(run__status__in=RUN_ACTIVE).values_list("pk", flat=True))


@dataclass
class Watch:
    step_id: int
    attempt: int
    stopped: threading.Event = field(default_factory=threading.Event)
    abort_hooks: list[Callable[[], None]] = field(default_factory=list)
    # The claim stamped a heartbeat, so the lease runs from here until a heartbeat renews it.
    renewed: float = field(default_factory=time.monotonic)
    lease_lost: bool = False

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
                alive = steps_heartbeat(owned={w.step_id: w.attempt for w in watches.values()})
            except Exception as exc:  # the database may be restarting: try again next tick
                logger.warning("heartbeat failed: %s", type(exc).__name__)
                connections.close_all()
                self._fence(watches.values())
                continue
            renewed = time.monotonic()
            for step_id, watch in watches.items():
                if step_id not in alive:
                    watch.stop()
                else:
                    watch.renewed = renewed

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
