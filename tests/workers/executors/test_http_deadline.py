"""The per-attempt deadline is hard: whatever the server sends, an attempt ends at `timeout_s`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import pytest

from tests.support.stub_server import StubServer
from workers.executors.abortable import AbortableStream, abort_thread_io, io_scope
from workers.executors.base import NodeFailure
from workers.executors.http_request import HttpRequestExecutor

run = HttpRequestExecutor().run


@contextmanager
def slow_headers_server(every_s: float = 0.1) -> Iterator[str]:
    """Answers a status line, then one header line every `every_s` seconds, never ending the headers."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while not stop.wait(every_s):
                try:
                    conn.sendall(b"X-Slow-%d: still coming\r\n" % n)
                except OSError:
                    return  # the client gave up: what the deadline should make it do
                n += 1

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()


def test_slow_headers_end_at_the_deadline(make_ctx: Any) -> None:
    with slow_headers_server() as url:
        started = time.monotonic()
        with pytest.raises(NodeFailure) as caught:
            run(make_ctx({"url": url + "/slow", "timeout_s": 0.5, "retries": 0})[0])
        elapsed = time.monotonic() - started
    assert elapsed < 1.5, f"the step ran {elapsed:.1f}s with a 0.5s deadline"
    message = caught.value.message
    assert "0.5s deadline" in message and f"{url}/slow" in message, message


def test_body_stalling_after_headers_ends_at_the_deadline(stub_server: StubServer, make_ctx: Any) -> None:
    # One byte, then a pause longer than the whole deadline: the timer breaks the blocked read.
    stub_server.route("GET", "/stall", stream_size=2, chunk=1, chunk_delay=5)
    started = time.monotonic()
    with pytest.raises(NodeFailure) as caught:
        run(make_ctx({"url": stub_server.url + "/stall", "timeout_s": 0.5, "retries": 0})[0])
    assert time.monotonic() - started < 1.5
    assert "not complete within 0.5s" in caught.value.message


class _Idle(httpcore.NetworkStream):
    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        raise AssertionError("an aborted attempt must not block in another read")

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        raise AssertionError("an aborted attempt must not write")


def test_an_abort_between_reads_stops_the_next_one() -> None:
    stream = AbortableStream(_Idle())
    with io_scope(10) as scope:
        assert abort_thread_io(threading.get_ident()) is False  # no call in progress, yet marked
        assert scope.aborted
        with pytest.raises(httpcore.ReadError):
            stream.read(10)
        with pytest.raises(httpcore.WriteError):
            stream.write(b"x")


def test_the_scope_expires_by_itself() -> None:
    with io_scope(0.05) as scope:
        time.sleep(0.3)
        assert scope.expired and scope.aborted
    with io_scope(0.05) as scope:
        pass
    time.sleep(0.15)
    assert not scope.expired  # the timer is cancelled when the attempt ends in time
