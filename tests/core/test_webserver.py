"""The served command line: uvicorn answers HTTP on a real socket and de-chunks bodies for the size limit."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from backend.core.webserver import web_argv
from tests.support.worker import child_env, serving_web


@pytest.fixture
def served(transactional_db: Any, tmp_path: Path) -> Iterator[int]:
    """Started as docker-compose starts it: the module's entry point execs web_argv's command."""
    env = child_env({"AUTOMATEOS_MAX_REQUEST_BYTES": "2048"})

    def module(port: int) -> list[str]:
        return [sys.executable, "-m", "backend.core.webserver", "127.0.0.1", str(port)]

    with serving_web(env, tmp_path / "web.log", command=module) as url:
        yield int(urlsplit(url).port or 0)


def _exchange(port: int, request: bytes) -> bytes:
    """One request on its own connection (Connection: close); the whole raw reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while data := sock.recv(65536):
            reply += data
    return reply


def test_web_argv_serves_health_without_a_server_header(served: int) -> None:
    reply = _exchange(served, b"GET /healthz?scope=web HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 200")
    assert b"\r\nserver:" not in head


def test_web_argv_refuses_a_chunked_body_over_the_limit(served: int) -> None:
    body = b'{"graph": "' + b"x" * 5000 + b'"}'
    head = b"POST /v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    reply = _exchange(served, head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    assert reply.startswith(b"HTTP/1.1 413"), reply[:300]
    assert b'"code":"payload_too_large"' in reply.replace(b" ", b""), reply[-300:]


def test_web_argv_names_the_c_parser_loop_and_websockets() -> None:
    argv = web_argv(host="0.0.0.0", port=9000)
    pairs = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert argv[:4] == [sys.executable, "-m", "uvicorn", "backend.config.asgi:application"]
    expected = {"--host": "0.0.0.0", "--port": "9000", "--loop": "uvloop", "--http": "httptools"}
    assert expected.items() <= pairs.items()


def _websocket_handshake(port: int, path: str, token: str | None) -> tuple[bytes, bytes]:
    """(status line, the first bytes after the handshake) of a websocket upgrade on a real socket."""
    auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
    request = (
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        ).encode()
        + auth
        + b"\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while b"\r\n\r\n" not in reply or (
            reply.startswith(b"HTTP/1.1 101") and len(reply.split(b"\r\n\r\n", 1)[1]) < 4
        ):
            data = sock.recv(65536)
            if not data:
                break
            reply += data
    head, _, rest = reply.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0], rest


def test_web_argv_websocket_to_a_run_id_that_is_not_a_uuid_closes_4404(served: int, user: Any) -> None:
    from backend.accounts.services import token_create

    status, frame = _websocket_handshake(served, "/ws/runs/not-a-uuid/", token_create(user=user)[1])
    assert status == b"HTTP/1.1 101 Switching Protocols"
    assert frame[:1] == b"\x88" and int.from_bytes(frame[2:4], "big") == 4404  # a close frame, code 4404
    status, _ = _websocket_handshake(served, "/ws/runs/not-a-uuid/", None)
    assert status == b"HTTP/1.1 403 Forbidden"  # no credentials: denied at the handshake, not a 500
