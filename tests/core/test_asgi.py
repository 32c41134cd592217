"""The ASGI handler runs the whole middleware chain and view as one sync call, with every middleware."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import pytest
from channels.testing import HttpCommunicator
from django.core import signals
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path

from backend.core.asgi import SyncChainASGIHandler

seen_threads: list[int] = []
both_in = threading.Barrier(2, timeout=5)


def _view(request: HttpRequest) -> HttpResponse:
    seen_threads.append(threading.get_ident())
    return HttpResponse(f"user={request.user.is_authenticated} session={hasattr(request, 'session')}")


def _meet(request: HttpRequest) -> HttpResponse:
    seen_threads.append(threading.get_ident())
    both_in.wait()  # returns only once a second request is inside a view at the same time
    return HttpResponse("met")


class _Closing:
    """A streaming body that records when the handler closed it."""

    def __init__(self) -> None:
        self.closed_after: list[str] = []

    def __iter__(self) -> Any:
        yield b"a"
        yield b"b"

    def close(self) -> None:
        self.closed_after.append("sent")


streamed = _Closing()


def _stream(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(streamed)  # Django registers the iterator's close() with the response


urlpatterns = [path("probe", _view), path("meet", _meet), path("stream", _stream)]


def test_asgi_handler_builds_a_sync_middleware_chain() -> None:
    handler = SyncChainASGIHandler()
    assert not inspect.iscoroutinefunction(handler._middleware_chain)
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"])
async def test_asgi_handler_request_passes_every_middleware_in_one_thread() -> None:
    seen_threads.clear()
    handler = SyncChainASGIHandler()
    response: Any = None
    for _ in range(2):
        response = await HttpCommunicator(handler, "GET", "/probe").get_response()
    assert response["status"] == 200
    assert response["body"] == b"user=False session=True"  # auth and session middleware ran
    headers = {name.lower(): value for name, value in response["headers"]}
    assert headers[b"x-request-id"]  # the outermost (ours)
    assert headers[b"x-frame-options"] == b"DENY"  # the innermost (clickjacking)
    assert len(set(seen_threads)) == 1  # one after the other: the same pooled thread, kept


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"])
async def test_asgi_handler_concurrent_requests_run_in_threads_of_their_own() -> None:
    seen_threads.clear()
    both_in.reset()
    handler = SyncChainASGIHandler()
    first, second = await asyncio.gather(
        HttpCommunicator(handler, "GET", "/meet").get_response(timeout=10),
        HttpCommunicator(handler, "GET", "/meet").get_response(timeout=10),
    )
    assert (first["body"], second["body"]) == (b"met", b"met")
    assert len(set(seen_threads)) == 2


def test_asgi_request_threads_are_reused_and_bounded() -> None:
    from backend.core.asgi import RequestThreads

    threads = RequestThreads(idle=1)
    a, b = threads.take(), threads.take()
    assert a is not b
    threads.give(a)
    threads.give(b)  # over the bound: shut down, not kept
    assert threads.take() is a
    with pytest.raises(RuntimeError):
        b.submit(int)


def test_asgi_application_uses_the_sync_chain_handler() -> None:
    from backend.config import asgi

    assert isinstance(asgi.django_asgi_app, SyncChainASGIHandler)


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"])
async def test_asgi_handler_request_signals_and_view_share_one_thread_hop() -> None:
    seen_threads.clear()
    events: list[tuple[str, int]] = []

    def started(**kwargs: Any) -> None:
        events.append(("started", threading.get_ident()))

    def finished(**kwargs: Any) -> None:
        events.append(("finished", threading.get_ident()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        response = await HttpCommunicator(SyncChainASGIHandler(), "GET", "/probe").get_response()
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert response["status"] == 200
    assert [name for name, _ in events] == ["started", "finished"]  # each once
    assert {thread for _, thread in events} == set(seen_threads)  # one thread for all three


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"])
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")  # Django's note on sync iterators
async def test_asgi_handler_streaming_response_is_sent_whole_then_closed_once() -> None:
    from asgiref.testing import ApplicationCommunicator

    streamed.closed_after.clear()
    scope = {"type": "http", "method": "GET", "path": "/stream", "query_string": b"", "headers": []}
    communicator = ApplicationCommunicator(SyncChainASGIHandler(), scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    body = b""
    while (message := await communicator.receive_output(5)).get("more_body"):
        body += message.get("body", b"")
    await communicator.wait(5)
    assert start["status"] == 200
    assert body == b"ab"
    assert streamed.closed_after == ["sent"]  # once, after the last chunk went out
