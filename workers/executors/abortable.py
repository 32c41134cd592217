"""Network streams another thread can break: how a cancel stops a request waiting for an answer.

httpx offers no way to interrupt a blocking read from outside. Every stream the guarded backend
opens is wrapped so that, while a thread reads from it, the stream is findable by that thread's id;
`abort_thread_io(thread_id)` shuts the socket down, which makes the blocked read return at once
(and the server sees its connection closed).
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import httpcore

_reading: dict[int, httpcore.NetworkStream] = {}
_lock = threading.Lock()


class AbortableStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        me = threading.get_ident()
        with _lock:
            _reading[me] = self._inner
        try:
            return self._inner.read(max_bytes, timeout)
        finally:
            with _lock:
                _reading.pop(me, None)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return AbortableStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def abort_thread_io(thread_id: int) -> bool:
    """Break the read `thread_id` is blocked in, if any; True when there was one."""
    with _lock:
        stream = _reading.get(thread_id)
    if stream is None:
        return False
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return False  # already closed by its owner
        return True
    return False
