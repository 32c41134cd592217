"""ASGI guard: a request body over the limit is refused while it arrives, before Django reads it.

Django's ASGI handler reads a whole body (spooling it to disk past 2.5 MB) before any middleware
runs, so a size check there comes after the upload has been taken in. Here the bytes are counted as
they come, and at most the limit is ever held.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[..., Awaitable[None]]  # Django's and Channels' handlers each type their own scope
_SAFE_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


class BodyLimit:
    def __init__(self, app: App, limit: Callable[[], int]) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit()
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await _refuse(scope, send, limit, f"request body is {int(declared)} bytes; the limit is {limit}")
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left: let Django see it as usual
                return await self.app(scope, _replay([message], receive), send)
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                return await _refuse(scope, send, limit, f"request body is over the limit of {limit} bytes")
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replayed() -> Message:
        return messages.pop(0) if messages else await receive()

    return replayed


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((value for key, value in scope.get("headers", []) if key.lower() == name), None)


def too_large(*, message: str, limit: int, request_id: str) -> dict[str, Any]:
    """The 413 body, for this guard and for the request middleware (the WSGI entry point's check)."""
    return {
        "error": {"code": "payload_too_large", "message": message, "details": {"limit": limit}, "requestId": request_id}
    }


async def _refuse(scope: Scope, send: Send, limit: int, message: str) -> None:
    given = _header(scope, b"x-request-id") or b""
    request_id = given.decode() if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
    payload = json.dumps(too_large(message=message, limit=limit, request_id=request_id)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"x-request-id", request_id.encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
