"""Network I/O another thread can break: how a cancel or a deadline stops a request mid-flight.

httpx offers no way to interrupt a blocking read from outside. An HTTP attempt runs inside an
`io_scope`, registered under its thread's id. Every stream the guarded backend opens is wrapped so
that, while the thread reads, writes or shakes hands on it, the scope knows that stream. Aborting
the scope (`abort_thread_io(thread_id)` for a cancel, or the scope's own deadline, see deadlines.py) shuts the
socket down, which makes the blocked call return at once (the server sees its connection closed),
and marks the scope so every later read, write or wait of the attempt fails at once too: an abort
that lands between two reads is not lost.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar

import httpcore

from workers.executors.deadlines import DEADLINES

T = TypeVar("T")

_scopes: dict[int, IoScope] = {}
_lock = threading.Lock()


class IoScope:
    """One attempt's I/O. `expired`: its deadline timer fired; `aborted`: it was broken (either way)."""

    def __init__(self) -> None:
        self.aborted = False
        self.expired = False
        self._stream: httpcore.NetworkStream | None = None
        self._wake: threading.Event | None = None

    def abort(self) -> bool:
        """Break the I/O in progress, if any, and every later one; True when a socket was shut down."""
        with _lock:
            self.aborted = True
            stream, wake = self._stream, self._wake
        if wake is not None:
            wake.set()
        return stream is not None and _shutdown(stream)

    def expire(self) -> None:
        self.expired = True
        self.abort()

    def run(self, stream: httpcore.NetworkStream, call: Callable[[], T], error: type[Exception]) -> T:
        """`call()`, which blocks on `stream`, breakable by `abort()`; `error` when already aborted."""
        with _lock:
            if self.aborted:
                raise error("aborted")
            self._stream = stream
        try:
            return call()
        finally:
            with _lock:
                self._stream = None

    def wait(self, future: Future[T], timeout: float) -> T:
        """The future's result within `timeout` s; TimeoutError, or httpcore.ConnectError on abort."""
        wake = threading.Event()
        future.add_done_callback(lambda _: wake.set())
        with _lock:
            self._wake = wake
        try:
            if not self.aborted:
                wake.wait(timeout)
        finally:
            with _lock:
                self._wake = None
        if self.aborted:
            raise httpcore.ConnectError("aborted")
        return future.result(timeout=0)


def _shutdown(stream: httpcore.NetworkStream) -> bool:
    sock = stream.get_extra_info("socket")
    if not isinstance(sock, socket.socket):
        return False
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        return False  # already closed by its owner
    return True


def current_scope() -> IoScope | None:
    return _scopes.get(threading.get_ident())


@contextmanager
def io_scope(deadline_s: float) -> Iterator[IoScope]:
    """The current thread's attempt; aborted by itself `deadline_s` seconds from now (hard deadline)."""
    me = threading.get_ident()
    scope = IoScope()
    with _lock:
        _scopes[me] = scope
    deadline = DEADLINES.schedule(deadline_s, scope.expire)
    try:
        yield scope
    finally:
        deadline.cancel()
        with _lock:
            if _scopes.get(me) is scope:
                del _scopes[me]


def wait_abortable(future: Future[T], timeout: float) -> T:
    """Like `future.result(timeout)`, but a cancel or the deadline of the current attempt ends it early."""
    scope = current_scope()
    if scope is None:
        return future.result(timeout)
    return scope.wait(future, timeout)


class AbortableStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def _guarded(self, call: Callable[[], T], error: type[Exception] = httpcore.ReadError) -> T:
        scope = current_scope()
        return call() if scope is None else scope.run(self._inner, call, error)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._guarded(lambda: self._inner.read(max_bytes, timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._guarded(lambda: self._inner.write(buffer, timeout), httpcore.WriteError)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        handshake = lambda: self._inner.start_tls(ssl_context, server_hostname, timeout)  # noqa: E731
        return AbortableStream(self._guarded(handshake, httpcore.ConnectError))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def abort_thread_io(thread_id: int) -> bool:
    """Break the attempt `thread_id` is running, if any; True when a blocked call was broken."""
    with _lock:
        scope = _scopes.get(thread_id)
    return scope is not None and scope.abort()
