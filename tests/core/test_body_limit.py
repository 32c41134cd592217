"""BodyLimit: bodies over the limit are refused as they arrive; others reach Django whole."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend.core.body_limit import BodyLimit

LIMIT = 1000


class Recorder:
    def __init__(self) -> None:
        self.calls = 0
        self.body = b""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        message = await receive()
        self.body = message.get("body", b"")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _call(
    chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[Recorder, list[Any], int]:
    app = Recorder()
    pending = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    taken = 0

    async def receive() -> Any:
        nonlocal taken
        taken += 1
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/runs", "headers": headers or []}
    await BodyLimit(app, limit=lambda: LIMIT)(scope, receive, send)
    return app, sent, taken


async def test_body_limit_refuses_a_declared_length_without_reading_the_body() -> None:
    app, sent, taken = await _call([b"x" * 5000], [(b"content-length", b"5000"), (b"x-request-id", b"req-1")])
    assert (app.calls, taken, sent[0]["status"]) == (0, 0, 413)
    error = json.loads(sent[1]["body"])["error"]
    assert error["code"] == "payload_too_large" and error["requestId"] == "req-1"
    assert error["details"] == {"limit": LIMIT}


async def test_body_limit_refuses_a_chunked_body_once_it_passes_the_limit() -> None:
    app, sent, taken = await _call([b"x" * 600, b"x" * 600, b"x" * 600])
    assert (app.calls, taken, sent[0]["status"]) == (0, 2, 413)  # the third chunk is never read


async def test_body_limit_hands_a_body_within_the_limit_over_whole() -> None:
    app, sent, _ = await _call([b"a" * 500, b"b" * 500])
    assert app.calls == 1 and app.body == b"a" * 500 + b"b" * 500
    assert sent[0]["status"] == 200


@pytest.mark.django_db
async def test_body_limit_guards_the_project_asgi_application() -> None:
    from asgiref.testing import ApplicationCommunicator

    from backend.config.asgi import application

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/runs", "raw_path": b"/v1/runs", "query_string": b"", "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5000), "headers": [(b"host", b"127.0.0.1"), (b"content-length", b"2000000")],
    }  # fmt: skip
    communicator = ApplicationCommunicator(application, scope)
    start = await communicator.receive_output(5)
    body = await communicator.receive_output(5)
    assert start["status"] == 413
    assert json.loads(body["body"])["error"]["code"] == "payload_too_large"
