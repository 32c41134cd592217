"""Django's ASGI handler: the middleware chain and view as one sync call, on a pooled request thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class RequestThreads:
    """Single-thread executors, kept between requests (at most `idle` waiting).

    Django gives every request a thread-sensitive context of its own, so its sync code runs in a
    thread that asgiref starts for it and joins when it ends, and thread-local state (Celery's
    producer-side objects, say) is built again each time: about a fifth of daphne's CPU per
    POST /v1/runs (py-spy, `make bench`). A request still has one thread to itself for its whole life.
    """

    def __init__(self, idle: int = 16) -> None:
        self.idle = idle
        self._free: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()

    def take(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._free:
                return self._free.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="aos-request")

    def give(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._free) < self.idle:
                self._free.append(executor)
                return
        executor.shutdown(wait=False)


class SyncChainASGIHandler(ASGIHandler):
    """Every middleware and view here is synchronous. Django's async chain still awaits each
    middleware's process_request/process_response through its own sync_to_async hop (about a dozen
    thread switches per request), which cost about a quarter of the web process's CPU per
    POST /v1/runs (py-spy, `make bench`). Built for sync, the chain runs in one hop instead, in the
    same thread-sensitive thread as before."""

    threads = RequestThreads()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.take()
        try:
            # Django's handle() awaits or cancels every task it starts before returning, so no
            # thread-sensitive call of this request can outlive the context (asgiref's rule).
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give(executor)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response: Any = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        return response  # type: ignore[no-any-return]
