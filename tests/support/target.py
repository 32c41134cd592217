"""A local HTTP server standing in for the APIs a workflow calls, recording what it saw and when."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    started: float
    ended: float = 0.0
    client_closed: bool = False  # the caller hung up while we were still "working"


@dataclass
class Target:
    url: str
    seen: list[Seen] = field(default_factory=list)

    def named(self, name: str) -> Seen:
        return next(s for s in self.seen if s.query.get("name") == name or s.path.endswith(f"/{name}"))


def _handler(target: Target) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            parsed = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            seen = Seen(self.command, parsed.path, query, dict(self.headers.items()), body, time.monotonic())
            target.seen.append(seen)
            if self._wait_or_hangup(float(query.get("delay", 0))):
                seen.client_closed, seen.ended = True, time.monotonic()
                self.close_connection = True
                return
            status = int(query.get("status", 200))
            reply = json.dumps({"ok": status < 400, "path": parsed.path, "method": self.command, "echo": body})
            seen.ended = time.monotonic()
            data = reply.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _wait_or_hangup(self, delay: float) -> bool:
            """Sleep `delay` seconds, returning True early if the client closes the connection."""
            deadline = time.monotonic() + delay
            while (left := deadline - time.monotonic()) > 0:
                readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
                if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                    return True
            return False

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

    return Handler


@contextmanager
def serving_target() -> Iterator[Target]:
    """A ThreadingHTTPServer on 127.0.0.1 at a free port: `?delay=s`, `?status=n`, `?name=x`."""
    target = Target(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(target))
    server.daemon_threads = True
    target.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield target
    finally:
        server.shutdown()
        server.server_close()
