"""Django's ASGI handler with the middleware chain and view run as one sync call (one thread hop)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    """Every middleware and view here is synchronous. Django's async chain still awaits each
    middleware's process_request/process_response through its own sync_to_async hop (about a dozen
    thread switches per request), which cost about a quarter of the web process's CPU per
    POST /v1/runs (py-spy, `make bench`). Built for sync, the chain runs in one hop instead, in the
    same thread-sensitive thread as before."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response: Any = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        return response  # type: ignore[no-any-return]
