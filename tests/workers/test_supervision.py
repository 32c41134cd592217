"""A worker whose shutdown wedges exits so its supervisor can start a fresh one."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest

from workers import supervision


def test_guard_exits_when_shutdown_wedges(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = -14.7  # grace of 0.3 s
    monkeypatch.setattr(supervision, "_CHECK_S", 0.05)
    exited = threading.Event()
    codes: list[int] = []

    def fake_exit(code: int) -> None:
        codes.append(code)
        exited.set()
        threading.Event().wait()  # park the (daemon) watcher thread instead of ending the test process

    monkeypatch.setattr(supervision.os, "_exit", fake_exit)
    worker = SimpleNamespace(blueprint=SimpleNamespace(state=supervision._RUN), exitcode=None)
    supervision.guard(worker)
    assert not exited.wait(0.5)  # running: nothing happens
    worker.blueprint.state = 2  # CLOSE: Celery began stopping and never finished
    worker.exitcode = 70
    assert exited.wait(3)
    assert codes == [70]


def test_guard_ignores_a_worker_still_starting(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = -14.9
    monkeypatch.setattr(supervision, "_CHECK_S", 0.05)
    calls: list[int] = []
    monkeypatch.setattr(supervision.os, "_exit", calls.append)
    supervision.guard(SimpleNamespace(blueprint=SimpleNamespace(state=0), exitcode=None))
    threading.Event().wait(0.6)
    assert calls == []
