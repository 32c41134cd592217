"""The run event websocket: the backlog after `?after=`, then live events, in order, no gaps."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from backend.core.types import Owner
from backend.events.notify import group_name
from backend.runs.documents import event_document
from backend.runs.models import Run, RunEvent

CLOSE_NOT_FOUND = 4404
CLOSE_UNAUTHORIZED = 4401
TERMINAL_EVENTS = {"run_succeeded", "run_failed", "run_cancelled"}
_BATCH = 500


@database_sync_to_async
def _owns(user: Owner, run_id: str) -> bool:
    return bool(user and user.is_authenticated and Run.objects.filter(pk=run_id, owner=user).exists())


@database_sync_to_async
def _events_after(run_id: str, after: int) -> list[dict[str, Any]]:
    rows = RunEvent.objects.filter(run_id=run_id, seq__gt=after).order_by("seq")[:_BATCH]
    return [event_document(e) for e in rows]


class RunEventsConsumer(AsyncWebsocketConsumer):
    """One reader task per socket sends everything after `last_seq`; pokes and a timer wake it.

    Reading from the database (not forwarding poke contents) is what makes reconnects gap-free and
    lets the embedded mode work: with no cross-process channel layer the timer alone delivers.
    """

    async def connect(self) -> None:
        self.run_id = str(self.scope["url_route"]["kwargs"]["run_id"])
        self.last_seq = _after_param(self.scope)
        self.wake = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None
        await self.accept()
        user = self.scope.get("user")
        if not (user and user.is_authenticated):
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        if not await _owns(user, self.run_id):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = group_name(self.run_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.reader = asyncio.create_task(self._read_loop())

    async def disconnect(self, code: int) -> None:
        if self.reader is not None:
            self.reader.cancel()
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def run_poke(self, message: dict[str, Any]) -> None:
        self.wake.set()

    async def _read_loop(self) -> None:
        interval = settings.AUTOMATEOS.get("WS_POLL_INTERVAL_S", 0.25)
        while True:
            # Cleared before the read, not after: a poke landing while we read must still wake the
            # next wait (clearing after the read dropped it, leaving that event to the timer).
            self.wake.clear()
            events = await _events_after(self.run_id, self.last_seq)
            for event in events:
                await self.send(text_data=json.dumps(event))
                self.last_seq = event["seq"]
                if event["type"] in TERMINAL_EVENTS:
                    await self.close(code=1000)
                    return
            if len(events) == _BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=interval)


class NoSuchSocketConsumer(AsyncWebsocketConsumer):
    """Every websocket path no route serves: closed with the code an unknown run gets (4404), or
    4401 without credentials, so a client stops retrying and says why."""

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        await self.close(code=CLOSE_NOT_FOUND if user and user.is_authenticated else CLOSE_UNAUTHORIZED)


def _after_param(scope: dict[str, Any]) -> int:
    # latin-1 decodes any bytes: a client's stray non-UTF-8 byte is a bad value, not a crash.
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after", ["0"])
    try:
        return max(0, int(values[0]))
    except ValueError:
        return 0
