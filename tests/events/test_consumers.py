"""The run websocket: authorization, backlog after `after`, order, live events, reconnects."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from backend.accounts.services import token_create
from backend.config.asgi import application
from backend.events import consumers
from backend.events.publisher import EventDraft, append_events
from backend.runs import dispatch
from backend.runs.services import run_start
from tests.support.graphs import chain, http_node, start_node

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


class _Recorder:
    def enqueue(self, step_ids: Any) -> None:
        pass


@pytest.fixture(autouse=True)
def no_dispatch() -> Any:
    previous = dispatch.set_dispatcher(_Recorder())
    yield
    dispatch.set_dispatcher(previous)


@database_sync_to_async
def _make_run(user: Any) -> str:
    graph = {"nodes": [start_node(), http_node("ping", "http://127.0.0.1:9/")], "edges": chain("start", "ping")}
    run, _ = run_start(owner=user, graph=graph)
    return str(run.pk)


@database_sync_to_async
def _token(user: Any) -> str:
    return token_create(user=user)[1]


@database_sync_to_async
def _append(run_id: str, *messages: str, type_: str = "log") -> None:
    append_events(run_id=run_id, drafts=[EventDraft(type=type_, message=m) for m in messages])


def _socket(run_id: str, token: str | None, after: int | None = None) -> WebsocketCommunicator:
    path = f"/ws/runs/{run_id}/" + (f"?after={after}" if after is not None else "")
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    return WebsocketCommunicator(application, path, headers=headers)


async def _receive_n(ws: WebsocketCommunicator, n: int) -> list[dict[str, Any]]:
    return [await ws.receive_json_from(timeout=5) for _ in range(n)]


async def test_consumer_sends_backlog_in_order(user: Any) -> None:
    run_id = await _make_run(user)
    await _append(run_id, "one", "two")
    ws = _socket(run_id, await _token(user))
    connected, _ = await ws.connect()
    assert connected
    events = await _receive_n(ws, 4)  # run_queued, step_succeeded(start), one, two
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert [e["msg"] for e in events[2:]] == ["one", "two"]
    await ws.disconnect()


async def test_consumer_backlog_starts_after_seq(user: Any) -> None:
    run_id = await _make_run(user)
    await _append(run_id, "one", "two")
    ws = _socket(run_id, await _token(user), after=3)
    await ws.connect()
    events = await _receive_n(ws, 1)
    assert events[0]["seq"] == 4 and events[0]["msg"] == "two"
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_consumer_streams_live_events_then_closes_at_terminal(user: Any) -> None:
    run_id = await _make_run(user)
    ws = _socket(run_id, await _token(user), after=2)
    await ws.connect()
    assert await ws.receive_nothing(timeout=0.3)
    await _append(run_id, "live-1")
    await _append(run_id, "run succeeded", type_="run_succeeded")
    events = await _receive_n(ws, 2)
    assert [e["msg"] for e in events] == ["live-1", "run succeeded"]
    closed = await ws.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"


async def test_consumer_reconnect_has_no_gap_or_duplicate(user: Any) -> None:
    run_id = await _make_run(user)
    token = await _token(user)
    ws = _socket(run_id, token)
    await ws.connect()
    first = await _receive_n(ws, 2)
    await ws.disconnect()
    await _append(run_id, "while-away-1", "while-away-2")
    ws2 = _socket(run_id, token, after=first[-1]["seq"])
    await ws2.connect()
    rest = await _receive_n(ws2, 2)
    await _append(run_id, "after-reconnect")
    rest += await _receive_n(ws2, 1)
    seqs = [e["seq"] for e in first + rest]
    assert seqs == list(range(1, 6))
    await ws2.disconnect()


async def test_consumer_other_users_run_closes_4404(user: Any, other_user: Any) -> None:
    run_id = await _make_run(user)
    ws = _socket(run_id, await _token(other_user))
    await ws.connect()
    closed = await ws.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4404}


async def test_consumer_without_credentials_is_refused(user: Any) -> None:
    run_id = await _make_run(user)
    ws = _socket(run_id, None)
    connected, _ = await ws.connect()
    assert not connected  # no session and no Origin: the handshake is denied


async def test_consumer_bad_token_closes_4401(user: Any) -> None:
    run_id = await _make_run(user)
    ws = _socket(run_id, "aos_bogus_token")
    await ws.connect()
    closed = await ws.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_consumer_poke_during_a_read_is_not_lost(user: Any, settings: Any, monkeypatch: Any) -> None:
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "WS_POLL_INTERVAL_S": 30.0}  # only a poke can deliver in time
    run_id = await _make_run(user)
    read = consumers._events_after

    async def read_racing_a_poke(run_id_: str, after: int) -> list[dict[str, Any]]:
        events = await read(run_id_, after)
        if after == 2 and not events:  # the event lands, and its poke arrives, just after this read
            await _append(run_id, "raced")
            await asyncio.sleep(0.5)
        return events

    monkeypatch.setattr(consumers, "_events_after", read_racing_a_poke)
    ws = _socket(run_id, await _token(user), after=2)
    await ws.connect()
    assert (await ws.receive_json_from(timeout=5))["msg"] == "raced"
    await ws.disconnect()


# --- Browser sessions: the Origin must be this server's own (scheme, host, port) or trusted ---

OWN_HOST = "localhost:8000"


@database_sync_to_async
def _session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _session_socket(
    run_id: str, cookie: str, origin: str, host: str = OWN_HOST, extra: list[tuple[bytes, bytes]] | None = None
) -> WebsocketCommunicator:
    headers = [
        (b"host", host.encode()),
        (b"origin", origin.encode()),
        (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        *(extra or []),
    ]
    return WebsocketCommunicator(application, f"/ws/runs/{run_id}/", headers=headers)


async def _handshake_accepted(ws: WebsocketCommunicator) -> bool:
    """Whether the handshake was accepted; an accepted socket is closed again so a failing
    assertion leaves no reader task behind (it would hold the test database open)."""
    connected, _ = await ws.connect()
    if connected:
        await ws.disconnect()
    return connected


async def test_consumer_session_with_own_origin_streams(user: Any) -> None:
    run_id = await _make_run(user)
    ws = _session_socket(run_id, await _session_cookie(user), origin=f"http://{OWN_HOST}")
    connected, _ = await ws.connect()
    assert connected
    backlog = await _receive_n(ws, 2)
    await _append(run_id, "run succeeded", type_="run_succeeded")
    live = await _receive_n(ws, 1)
    assert [e["seq"] for e in backlog + live] == [1, 2, 3]
    assert (await ws.receive_output(timeout=5)) == {"type": "websocket.close", "code": 1000}


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:3000",  # same host, another port: another local web app
        "http://localhost",  # same host, default port
        "http://127.0.0.1:9999",  # a host we serve (ALLOWED_HOSTS), another port
        "http://127.0.0.1:8000",  # same port, another host name
        "https://localhost:8000",  # same host and port, another scheme
        "http://evil.example:8000",
        "null",  # sandboxed iframes and file:// pages
    ],
)
async def test_consumer_session_with_foreign_origin_is_denied(user: Any, origin: str) -> None:
    run_id = await _make_run(user)
    ws = _session_socket(run_id, await _session_cookie(user), origin=origin)
    assert not await _handshake_accepted(ws)


async def test_consumer_session_host_not_served_is_denied(user: Any) -> None:
    run_id = await _make_run(user)
    # DNS rebinding: Origin and Host agree, but the host is not in ALLOWED_HOSTS.
    ws = _session_socket(
        run_id, await _session_cookie(user), origin="http://evil.example:8000", host="evil.example:8000"
    )
    assert not await _handshake_accepted(ws)


@pytest.mark.parametrize(
    ("trusted", "origin", "accepted"),
    [
        (["https://app.example.com"], "https://app.example.com", True),
        (["https://app.example.com"], "https://app.example.com:8443", False),
        (["https://app.example.com"], "http://app.example.com", False),
        (["https://*.example.org"], "https://ui.example.org", True),
        (["https://*.example.org"], "http://ui.example.org", False),
        (["https://*.example.org"], "https://example.org.evil.test", False),
    ],
)
async def test_consumer_session_csrf_trusted_origins(
    user: Any, settings: Any, trusted: list[str], origin: str, accepted: bool
) -> None:
    settings.CSRF_TRUSTED_ORIGINS = trusted
    run_id = await _make_run(user)
    ws = _session_socket(run_id, await _session_cookie(user), origin=origin)
    connected, _ = await ws.connect()
    if connected:
        first = await ws.receive_json_from(timeout=5)
        await ws.disconnect()
        assert first["seq"] == 1
    assert connected is accepted


@pytest.mark.parametrize(("forwarded_proto", "accepted"), [(b"https", True), (b"http", False), (None, False)])
async def test_consumer_session_behind_tls_proxy(
    user: Any, settings: Any, forwarded_proto: bytes | None, accepted: bool
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    run_id = await _make_run(user)
    extra = [(b"x-forwarded-proto", forwarded_proto)] if forwarded_proto else []
    ws = _session_socket(run_id, await _session_cookie(user), origin=f"https://{OWN_HOST}", extra=extra)
    assert await _handshake_accepted(ws) is accepted


async def test_consumer_session_other_users_run_closes_4404(user: Any, other_user: Any) -> None:
    run_id = await _make_run(user)
    ws = _session_socket(run_id, await _session_cookie(other_user), origin=f"http://{OWN_HOST}")
    connected, _ = await ws.connect()
    assert connected
    assert (await ws.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4404}


async def test_consumer_own_origin_without_session_closes_4401(user: Any) -> None:
    run_id = await _make_run(user)
    ws = _session_socket(run_id, "not-a-session", origin=f"http://{OWN_HOST}")
    await ws.connect()
    assert (await ws.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}


@pytest.mark.parametrize("path", ["/ws/runs/not-a-uuid/", "/ws/runs/123/", "/ws/runs/", "/ws/nope/", "/ws/runs/%00/"])
async def test_consumer_malformed_path_closes_4404(user: Any, path: str) -> None:
    """A path no route serves (a run id that is not a UUID) is closed as "not found", not a router error."""
    token = await _token(user)
    ws = WebsocketCommunicator(application, path, headers=[(b"authorization", f"Bearer {token}".encode())])
    connected, _ = await ws.connect()
    assert connected
    assert (await ws.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4404}


async def test_consumer_malformed_path_without_session_closes_4401(user: Any) -> None:
    ws = _session_socket("not-a-uuid", "not-a-session", origin=f"http://{OWN_HOST}")
    await ws.connect()
    assert (await ws.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}


async def test_consumer_malformed_path_without_credentials_is_refused() -> None:
    ws = WebsocketCommunicator(application, "/ws/runs/not-a-uuid/")
    connected, _ = await ws.connect()
    assert not connected


async def test_consumer_after_with_a_byte_that_is_not_utf8_starts_from_zero(user: Any) -> None:
    run_id = await _make_run(user)
    ws = WebsocketCommunicator(
        application,
        f"/ws/runs/{run_id}/",
        headers=[(b"authorization", f"Bearer {await _token(user)}".encode())],
    )
    ws.scope["query_string"] = b"after=\xff"
    connected, _ = await ws.connect()
    assert connected
    assert [e["seq"] for e in await _receive_n(ws, 2)] == [1, 2]
    await ws.disconnect()
