"""The served command line: uvicorn answers HTTP on a real socket and de-chunks bodies for the size limit."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from backend.core.webserver import web_argv
from tests.support.worker import REPO, child_env, free_port, healthy, stop_process, wait_for


@pytest.fixture
def served(transactional_db: Any) -> Iterator[int]:
    """Started as docker-compose starts it: the module's entry point execs web_argv's command."""
    port = free_port()
    env = child_env({"AUTOMATEOS_MAX_REQUEST_BYTES": "2048"})
    argv = [sys.executable, "-m", "backend.core.webserver", "127.0.0.1", str(port)]
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: proc.poll() is not None or healthy(f"http://127.0.0.1:{port}"), timeout=30)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        yield port
    finally:
        stop_process(proc)


def _chunked_post(port: int, body: bytes) -> bytes:
    head = "POST /v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"  # noqa: E501
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 1000]), body[i : i + 1000]) for i in range(0, len(body), 1000)
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode() + chunks + b"0\r\n\r\n")
        reply = b""
        while data := sock.recv(65536):
            reply += data
    return reply


def test_web_argv_serves_health_without_a_server_header(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        reply = b""
        while data := sock.recv(65536):
            reply += data
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 200")
    assert b"\r\nserver:" not in head


def test_web_argv_refuses_a_chunked_body_over_the_limit(served: int) -> None:
    reply = _chunked_post(served, b'{"graph": "' + b"x" * 5000 + b'"}')
    assert reply.startswith(b"HTTP/1.1 413"), reply[:300]
    assert b'"code":"payload_too_large"' in reply.replace(b" ", b""), reply[-300:]


def test_web_argv_names_the_c_parser_loop_and_websockets() -> None:
    argv = web_argv(host="0.0.0.0", port=9000)
    pairs = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert argv[:4] == [sys.executable, "-m", "uvicorn", "backend.config.asgi:application"]
    assert {"--host": "0.0.0.0", "--port": "9000", "--loop": "uvloop", "--http": "httptools"}.items() <= pairs.items()
