"""The ASGI handler runs the whole middleware chain and view as one sync call, with every middleware."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import pytest
from channels.testing import HttpCommunicator
from django.http import HttpRequest, HttpResponse
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


urlpatterns = [path("probe", _view), path("meet", _meet)]


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
