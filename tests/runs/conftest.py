"""An in-process dispatcher: flow tests run the real engine without a broker, deterministically."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence

import pytest

from backend.runs import dispatch


class InlineDispatcher:
    """Queues step ids and runs them one by one in this process when `drain()` is called."""

    def __init__(self) -> None:
        self.queue: deque[int] = deque()
        self.sent: list[int] = []

    def enqueue(self, step_ids: Sequence[int]) -> None:
        self.queue.extend(step_ids)
        self.sent.extend(step_ids)

    def drain(self, limit: int = 10_000) -> int:
        from workers.engine import execute_step

        done = 0
        while self.queue and done < limit:
            execute_step(self.queue.popleft())
            done += 1
        return done


@pytest.fixture
def inline_dispatcher() -> Iterator[InlineDispatcher]:
    fake = InlineDispatcher()
    previous = dispatch.set_dispatcher(fake)
    yield fake
    dispatch.set_dispatcher(previous)
