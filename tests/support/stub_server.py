"""A programmable HTTP server on 127.0.0.1 standing in for Slack, Notion and friends in tests.

    with StubServer() as server:
        server.route("POST", "/hook", status=200, json={"ok": True})
        server.route("GET", "/flaky", replies=[Reply(status=503), Reply(status=200, body="fine")])
        server.route("GET", "/old", redirect="/new")
        server.route("ANY", "/echo", echo=True)
        ... call server.url + "/hook" ...
        assert server.requests[0].json() == {...}

Unknown paths answer 404. Every request is recorded (method, path, query, headers, body) before the
reply is sent. The `stub_server` pytest fixture yields a started server (import it into a conftest).
"""

from __future__ import annotations

import json as jsonlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class SeenRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower case
    body: bytes
    client_port: int = 0  # the same port on two requests means one kept-alive connection
    at: float = field(default_factory=time.monotonic)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    def text(self) -> str:
        return self.body.decode()


@dataclass
class Reply:
    """One programmed answer. `body` str/bytes, or `json` any JSON value; `delay` waits before answering;
    `stream_size` sends that many bytes in `chunk` pieces (`chunk_delay` apart) without holding them;
    `redirect` answers `status` (302 default) with that Location; `echo` answers the request as JSON;
    `handler` computes the reply from the request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str | bytes = b""
    json: Any = None
    delay: float = 0.0
    redirect: str | None = None
    echo: bool = False
    stream_size: int = 0
    chunk: int = 64 * 1024
    chunk_delay: float = 0.0
    handler: Callable[[SeenRequest], Reply] | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real APIs do
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        seen = SeenRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_port=int(self.client_address[1]),
        )
        stub = self.server.stub
        stub._record(seen)
        reply = stub._next_reply(seen)
        while reply.handler is not None:
            reply = reply.handler(seen)
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self._send(reply, seen)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True  # the client hung up (cut stream, timeout): expected in tests

    def _send(self, reply: Reply, seen: SeenRequest) -> None:
        headers = dict(reply.headers)
        status = reply.status
        if reply.redirect is not None:
            status = reply.status if 300 <= reply.status < 400 else 302
            headers["Location"] = reply.redirect
        if reply.echo:
            payload: bytes = jsonlib.dumps(
                {
                    "method": seen.method,
                    "path": seen.path,
                    "query": seen.query,
                    "headers": seen.headers,
                    "body": seen.body.decode(errors="replace"),
                }
            ).encode()
            headers.setdefault("Content-Type", "application/json")
        elif reply.json is not None:
            payload = jsonlib.dumps(reply.json).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
            if reply.body:
                headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        self.send_response(status)
        size = reply.stream_size or len(payload)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if self.command == "HEAD":
            return
        if not reply.stream_size:
            self.wfile.write(payload)
            return
        sent = 0
        block = b"x" * reply.chunk
        while sent < size:
            piece = block[: min(reply.chunk, size - sent)]
            self.wfile.write(piece)
            self.wfile.flush()
            sent += len(piece)
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve  # noqa: N815


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: StubServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # failed TLS handshakes and hung-up clients are what some tests provoke on purpose


class StubServer:
    """Starts on 127.0.0.1 with an ephemeral port; `tls` is an ssl.SSLContext for an https server."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls
        self._routes: dict[tuple[str, str], list[Reply]] = {}
        self._lock = threading.Lock()
        self.requests: list[SeenRequest] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- programming ---------------------------------------------------------------------------
    def route(self, method: str, path: str, *, replies: list[Reply] | None = None, **reply: Any) -> StubServer:
        """Program `method path` ("ANY" matches every method). With `replies`, they are served in
        order and the last one repeats; otherwise the keyword arguments make one Reply."""
        programmed = list(replies) if replies else [Reply(**reply)]
        with self._lock:
            self._routes[(method.upper(), path)] = programmed
        return self

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self.requests.clear()

    def requests_to(self, path: str) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    def url_for(self, host: str) -> str:
        """The base URL with another host name (e.g. "localhost") for the same server."""
        return f"{'https' if self._tls else 'http'}://{host}:{self.port}"

    def start(self) -> StubServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.stub = self
        if self._tls is not None:
            # Handshake in the handler thread, so one bad client cannot stall the accept loop.
            server.socket = self._tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- used by the handler -------------------------------------------------------------------
    def _record(self, seen: SeenRequest) -> None:
        with self._lock:
            self.requests.append(seen)

    def _next_reply(self, seen: SeenRequest) -> Reply:
        with self._lock:
            queue = self._routes.get((seen.method, seen.path)) or self._routes.get(("ANY", seen.path))
            if not queue:
                return Reply(status=404, body=f"no route for {seen.method} {seen.path}")
            return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def stub_server() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server
