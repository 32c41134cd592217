"""Channel-layer pokes telling run listeners that new events are stored."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

POKE_TIMEOUT_S = 2.0


def group_name(run_id: str) -> str:
    return f"run.{run_id}"


class _PokeLoop:
    """One long-lived event loop thread per process for cross-process channel layers.

    `async_to_sync` from a plain worker thread builds a new event loop per call, and channels_redis
    keeps its connection pools per loop: every poke paid for a loop, a Redis connection and its
    handshake, on every node. One loop keeps one pool.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def get(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            # A forked child inherits the loop object but not its thread: start a fresh one.
            if self._loop is None or self._pid != os.getpid() or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="aos-channel-pokes", daemon=True).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop


_POKE_LOOP = _PokeLoop()


def notify_run(*, run_id: str, seq: int) -> None:
    """Best effort: a lost poke only delays a listener until its next timed read of the log."""
    layer = get_channel_layer()
    if layer is None:
        return
    message: dict[str, Any] = {"type": "run.poke", "seq": seq}
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # In-process queues belong to the caller's loop (tests, the embedded web process).
            async_to_sync(layer.group_send)(group_name(run_id), message)
        elif hasattr(layer, "has_members"):
            # Asked here, in the caller's thread; only a watched run is handed to the loop, whose
            # full send then skips the layer's own ZCARD. Sent, not awaited: the caller (a node
            # that just committed) does not wait on Redis.
            if layer.has_members(group_name(run_id)):
                coro = asyncio.wait_for(layer.send_to_members(group_name(run_id), message), POKE_TIMEOUT_S)
                _schedule(coro, run_id)
        else:
            _schedule(asyncio.wait_for(layer.group_send(group_name(run_id), message), POKE_TIMEOUT_S), run_id)
    except Exception as exc:  # the run itself must never fail because a listener could not be told
        logger.warning("could not poke run %s listeners: %s", run_id, type(exc).__name__)


def _schedule(coro: Any, run_id: str) -> None:
    future = asyncio.run_coroutine_threadsafe(coro, _POKE_LOOP.get())
    future.add_done_callback(lambda f: _log_failure(f, run_id))


def _log_failure(future: Any, run_id: str) -> None:
    exc = None if future.cancelled() else future.exception()
    if exc is not None:
        logger.warning("could not poke run %s listeners: %s", run_id, type(exc).__name__)
