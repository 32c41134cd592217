"""Run-through fixtures: a dispatcher that runs steps in this process and keeps each Celery message body."""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from backend.runs import dispatch
from tests.support.stub_server import StubServer


class RecordingDispatcher:
    """Builds the exact message the Celery dispatcher would send (to search it), then runs the step inline."""

    def __init__(self) -> None:
        self.queue: deque[int] = deque()
        self.messages: list[str] = []

    def enqueue(self, step_ids: Sequence[int]) -> None:
        from backend.config.celery import app

        for step_id in step_ids:
            message = app.amqp.as_task_v2(uuid.uuid4().hex, dispatch.RUN_STEP_TASK, args=(step_id,))
            self.messages.append(json.dumps({"headers": message.headers, "body": message.body}, default=str))
            self.queue.append(step_id)

    def drain(self) -> None:
        from workers.engine import execute_step

        while self.queue:
            execute_step(self.queue.popleft())


@pytest.fixture
def engine(transactional_db: Any) -> Iterator[RecordingDispatcher]:
    fake = RecordingDispatcher()
    previous = dispatch.set_dispatcher(fake)
    yield fake
    dispatch.set_dispatcher(previous)


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server
