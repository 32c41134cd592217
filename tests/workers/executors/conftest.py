"""Fixtures for executor tests: the stub server, a context factory that records log lines, a late cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.stub_server import stub_server  # noqa: F401 - re-exported as a fixture
from workers.executors.base import EngineLimits, NodeContext

OPEN = EngineLimits(allow_private_networks=True)


@dataclass
class LogSink:
    lines: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, level: str, message: str, data: Mapping[str, Any]) -> None:
        self.lines.append((level, message, dict(data)))

    def levels(self, level: str) -> list[str]:
        return [message for lvl, message, _ in self.lines if lvl == level]

    def dump(self) -> str:
        return repr(self.lines)


@pytest.fixture
def make_ctx() -> Callable[..., tuple[NodeContext, LogSink]]:
    def factory(config: dict[str, Any], **overrides: Any) -> tuple[NodeContext, LogSink]:
        sink = LogSink()
        overrides.setdefault("limits", OPEN)
        ctx = NodeContext(run_id="run-1", node_id="node-1", label="Call", config=config, log=sink, **overrides)
        return ctx, sink

    return factory


@pytest.fixture
def cancel_later() -> Callable[[NodeContext, float], None]:
    """Cancel `ctx` `delay_s` seconds from now, the way the engine's watcher does: flag, then abort hooks."""

    def schedule(ctx: NodeContext, delay_s: float) -> None:
        cancelled = threading.Event()
        ctx.is_cancelled = cancelled.is_set

        def cancel() -> None:
            time.sleep(delay_s)
            cancelled.set()
            for hook in list(ctx.abort_hooks):
                hook()

        threading.Thread(target=cancel, daemon=True).start()

    return schedule
