"""An in-process dispatcher: flow tests run the real engine without a broker, deterministically.

It also keeps the exact message body the Celery dispatcher would send for each step, so secret
tests can search the queue's contents.
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from backend.runs import dispatch


class InlineDispatcher:
    """Queues step ids and runs them one by one in this process when `drain()` is called."""

    def __init__(self) -> None:
        self.queue: deque[int] = deque()
        self.sent: list[int] = []
        self.scheduled: list[tuple[int, Any]] = []  # (step id, when): resumes asked for by waiting steps
        self.messages: list[str] = []
        self.failure_hooks: deque[str] = deque()  # failed runs whose hook message was sent

    def enqueue(self, step_ids: Sequence[int]) -> None:
        from backend.config.celery import app

        for step_id in step_ids:
            message = app.amqp.as_task_v2(uuid.uuid4().hex, dispatch.RUN_STEP_TASK, args=(step_id,))
            self.messages.append(json.dumps({"headers": message.headers, "body": message.body}, default=str))
        self.queue.extend(step_ids)
        self.sent.extend(step_ids)

    def schedule(self, step_id: int, at: Any) -> None:
        self.scheduled.append((step_id, at))

    def fire_failure_hook(self, run_id: str) -> None:
        self.failure_hooks.append(run_id)

    def drain(self, limit: int = 10_000) -> int:
        """Run queued steps, then the failure hooks they sent (and the steps those start)."""
        from backend.runs.hook_services import failure_hook_fire
        from workers.engine import execute_step

        done = 0
        while (self.queue or self.failure_hooks) and done < limit:
            if self.queue:
                execute_step(self.queue.popleft())
            else:
                failure_hook_fire(run_id=self.failure_hooks.popleft())
            done += 1
        return done


def installed_inline_dispatcher() -> Iterator[InlineDispatcher]:
    fake = InlineDispatcher()
    previous = dispatch.set_dispatcher(fake)
    try:
        yield fake
    finally:
        dispatch.set_dispatcher(previous)
