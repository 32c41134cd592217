"""A cancel breaks an HTTP node that is still waiting for the server's answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.stub_server import StubServer
from workers.executors.abortable import abort_thread_io
from workers.executors.base import NodeFailure
from workers.executors.http_request import HttpRequestExecutor


def test_abort_hook_breaks_a_request_waiting_for_headers(make_ctx: Callable[..., Any], cancel_later: Any) -> None:
    with StubServer() as server:
        server.route("GET", "/hang", delay=10, json={"late": True})
        ctx, _ = make_ctx({"method": "GET", "url": server.url + "/hang", "retries": 0})
        cancel_later(ctx, 0.3)
        started = time.monotonic()
        with pytest.raises(NodeFailure):
            HttpRequestExecutor().run(ctx)
        assert time.monotonic() - started < 3


def test_abort_thread_io_without_a_read_is_a_no_op() -> None:
    assert abort_thread_io(threading.get_ident()) is False
