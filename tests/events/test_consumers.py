"""The run websocket: authorization, backlog after `after`, order, live events, reconnects."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from backend.accounts.services import token_create
from backend.config.asgi import application
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
