"""The only seam between the backend and Celery: enqueue step tasks by name, after commit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from django.db import transaction

RUN_STEP_TASK = "workers.run_step"
logger = logging.getLogger(__name__)


class Dispatcher(Protocol):
    def enqueue(self, step_ids: Sequence[int]) -> None: ...


class CeleryDispatcher:
    """Sends one `workers.run_step` message per step id over one pooled producer connection."""

    def enqueue(self, step_ids: Sequence[int]) -> None:
        from backend.config.celery import app

        if not step_ids:
            return
        with app.producer_or_acquire() as producer:
            for step_id in step_ids:
                # No per-message queue declaration: the default queue is reached through the
                # anonymous exchange by name (no binding involved), and kombu's cached declare
                # still copied and re-bound the queue on every send (~a fifth of a POST's CPU).
                app.send_task(RUN_STEP_TASK, args=[step_id], producer=producer, declare=[])


_dispatcher: Dispatcher = CeleryDispatcher()


def get_dispatcher() -> Dispatcher:
    return _dispatcher


def set_dispatcher(dispatcher: Dispatcher) -> Dispatcher:
    """Swap the dispatcher (tests use an in-process one); returns the previous one."""
    global _dispatcher
    previous, _dispatcher = _dispatcher, dispatcher
    return previous


def enqueue_steps_on_commit(step_ids: Sequence[int]) -> None:
    """Enqueue after the surrounding transaction commits, so a worker never sees a missing row."""
    ids = list(step_ids)
    if ids:
        transaction.on_commit(lambda: enqueue_now(ids))


def enqueue_now(step_ids: Sequence[int]) -> None:
    """Send now; a broker that is down is logged, not raised. The steps are stored, so the reaper's
    lost-message watchdog sends them once it is back, and the caller (an API request whose run is
    committed) must not answer as if nothing had been stored."""
    try:
        get_dispatcher().enqueue(step_ids)
    except Exception as exc:
        logger.warning(
            "could not enqueue %d step(s) (%s); the reaper will re-send them", len(step_ids), type(exc).__name__
        )
