"""The only seam between the backend and Celery: enqueue step tasks by name, after commit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import redis
from django.db import transaction
from redis.backoff import NoBackoff
from redis.retry import Retry

from backend.core.types import Uuid
from backend.runs import task_message

RUN_STEP_TASK = "workers.run_step"
RESUME_STEP_TASK = "workers.resume_step"
FAILURE_HOOK_TASK = "workers.fire_failure_hook"
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


class RedisDispatcher:
    """Pushes the messages Celery would send straight onto the broker's Redis list, all in one LPUSH.

    `app.send_task` builds each message through kombu's producer, serialisers and routing, a large
    share of a run's web CPU; the same bytes pushed directly cost a fraction of that, and a run's first
    steps and a fan-out's successors go in one round trip. The workers consume them through Celery
    as before (task_message mirrors its format).
    """

    def __init__(self, url: str, queue: str) -> None:
        self.queue = queue
        # One immediate retry covers a pooled connection that Redis closed (a restart); a broker
        # that stays down fails the send at once and the reaper re-sends the stored steps.
        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, retry=Retry(NoBackoff(), 1)
        )

    def enqueue(self, step_ids: Sequence[int]) -> None:
        from backend.config.celery import app

        if not step_ids:
            return
        reply_to = app.thread_oid
        messages = [
            task_message.encode(task=RUN_STEP_TASK, args=[i], queue=self.queue, reply_to=reply_to) for i in step_ids
        ]
        self._client.lpush(self.queue, *messages)


def default_dispatcher() -> Dispatcher:
    """The direct Redis one where the broker is kombu's Redis transport with the plain layout
    task_message writes (no key prefix, no routes) and no TLS options of Celery's own for the client
    to miss; Celery's own send everywhere else."""
    from backend.config.celery import app

    conf = app.conf
    options = conf.broker_transport_options or {}
    plain = not conf.task_routes and not options.get("global_keyprefix") and not conf.broker_use_ssl
    if plain and str(conf.broker_url).split("://", 1)[0] in ("redis", "rediss"):
        return RedisDispatcher(conf.broker_url, conf.task_default_queue)
    return CeleryDispatcher()


_dispatcher: Dispatcher | None = None


def get_dispatcher() -> Dispatcher:
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = default_dispatcher()
    return _dispatcher


def set_dispatcher(dispatcher: Dispatcher | None) -> Dispatcher | None:
    """Swap the dispatcher (tests use an in-process one; None means the default); returns the previous."""
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


def schedule_resume_on_commit(*, step_id: int, at: datetime) -> None:
    """After commit, ask for `step_id` to be resumed at `at`. Best effort: the reaper resumes a due
    waiting step whose message was lost (a Redis restart drops the broker's scheduled messages)."""
    transaction.on_commit(lambda: _schedule(step_id, at))


def _schedule(step_id: int, at: datetime) -> None:
    schedule = getattr(get_dispatcher(), "schedule", None)
    try:
        if schedule is not None:
            schedule(step_id, at)
        else:
            from backend.config.celery import app

            app.send_task(RESUME_STEP_TASK, args=[step_id], eta=at)
    except Exception as exc:
        logger.warning("could not schedule the resume of step %s (%s); the reaper will", step_id, type(exc).__name__)


def enqueue_failure_hook_on_commit(run_id: Uuid) -> None:
    """After commit, ask a worker to start the failure workflow of the run that just failed. The
    engine only sends this message; the task reads the workflow and starts the hook off its path."""
    transaction.on_commit(lambda: _send_failure_hook(str(run_id)))


def _send_failure_hook(run_id: str) -> None:
    # A dispatcher of the tests' may take the message itself, as `schedule` does for resumes.
    own = getattr(get_dispatcher(), "fire_failure_hook", None)
    try:
        if own is not None:
            own(run_id)
        else:
            from backend.config.celery import app

            app.send_task(FAILURE_HOOK_TASK, args=[run_id])
    except Exception as exc:
        logger.warning("could not send the failure hook of run %s (%s)", run_id, type(exc).__name__)
