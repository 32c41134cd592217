"""A real worker process pokes the websocket through the Redis channel layer: first to last event.

The socket's fallback timer is set to 30 s here, so only the worker's pokes can deliver events
within seconds: a broken poke path makes the latency assertion fail instead of hiding behind it.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from backend.accounts.services import token_create
from backend.config.asgi import application
from backend.runs.models import RunEvent
from backend.runs.services import run_start
from tests.support.graphs import edge, http_node, start_node
from tests.support.target import serving_target

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

POLL_INTERVAL_S = 30.0  # the consumer's re-read timer: far longer than the run
MAX_DELIVERY_S = 5.0  # stored → received through a poke; generous for a loaded 2-core machine


@database_sync_to_async
def _start(user: Any, url: str) -> tuple[str, str]:
    graph = {
        "nodes": [start_node(), *(http_node(n, f"{url}/{n}?delay=0.2&name={n}") for n in "abc"),
                  http_node("join", f"{url}/join?name=join")],
        "edges": [edge("start", "a"), edge("start", "b"), edge("start", "c"), edge("a", "join"), edge("b", "join"),
                  edge("c", "join")],
    }  # fmt: skip
    run, _ = run_start(owner=user, graph=graph)
    return str(run.pk), token_create(user=user)[1]


@database_sync_to_async
def _stored_seqs(run_id: str) -> list[int]:
    return list(RunEvent.objects.filter(run_id=run_id).order_by("seq").values_list("seq", flat=True))


async def test_live_stream_from_first_to_terminal_event(worker: Any, user: Any, settings: Any) -> None:
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "WS_POLL_INTERVAL_S": POLL_INTERVAL_S}
    with serving_target() as target:
        run_id, token = await _start(user, target.url)
        ws = WebsocketCommunicator(
            application, f"/ws/runs/{run_id}/", headers=[(b"authorization", f"Bearer {token}".encode())]
        )
        connected, _ = await ws.connect()
        assert connected
        connected_at = time.time()
        events: list[dict[str, Any]] = []
        received_at: list[float] = []
        while True:
            # Longer than the timer, so a missing poke shows up as a latency, not as a timeout.
            message = await ws.receive_output(timeout=POLL_INTERVAL_S + 15)
            if message["type"] == "websocket.close":
                break
            events.append(json.loads(message["text"]))
            received_at.append(time.time())
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate
    assert seqs == await _stored_seqs(run_id)  # everything stored was streamed
    assert events[-1]["type"] == "run_succeeded"
    started = {e["nodeId"] for e in events if e["type"] == "step_started"}
    succeeded = {e["nodeId"] for e in events if e["type"] == "step_succeeded"}
    assert started == {"a", "b", "c", "join"} and succeeded == {"start", "a", "b", "c", "join"}
    # Events stored after the socket opened reached it through pokes, well inside the timer.
    delays = {
        e["seq"]: round(at - stored, 3)
        for e, at in zip(events, received_at, strict=True)
        if (stored := datetime.fromisoformat(e["ts"]).timestamp()) > connected_at
    }
    assert events[-1]["seq"] in delays, "the run ended before the socket opened: nothing was live"
    assert max(delays.values()) < MAX_DELIVERY_S, f"stored → received (s) by seq: {delays}"
