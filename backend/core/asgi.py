"""Django's ASGI handler: request signals, middleware chain and view as one sync call, on a pooled thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix


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

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Django's handle() with its three thread hops (request_started, the chain, response.close)
        folded into one: a hop is a thread handover, a noticeable share of a short request's CPU.
        A complete (non-streaming) response is closed, and request_finished
        sent, before its bytes go out; a streaming one is closed after, as Django does.

        Django also cancels the view's task when the client disconnects; a sync view's thread runs
        on regardless, so all that cancel saved was the send, which the server drops for a gone
        client (uvicorn does, as daphne did).
        """
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)
            await self.send_response(response, send)
            if response.streaming:
                await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def _respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        """request_started, the request, the middleware chain and view; a complete response closed."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error = self.create_request(scope, body_file)
        if request is None:
            assert error is not None  # Django returns one or the other
            response: HttpResponseBase = error
        else:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]  # as Django's own
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size  # the ASGI server chunks (Django's own choice)
        if not response.streaming:
            response.close()
        return response
