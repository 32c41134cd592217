"""The Redis channel layer: a receive that survives a passing Redis error, a cheap send to nobody."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import redis
from channels_redis.core import RedisChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_RETRY_S = 0.5
_SYNC_TIMEOUT_S = 1.0


class ResilientRedisChannelLayer(RedisChannelLayer):
    """Pokes are only a wake-up: the run socket re-reads the database on its own timer. So a Redis
    timeout or restart should pause pokes, not close every open websocket (which channels does when
    a consumer's channel receive raises)."""

    async def receive(self, channel: str) -> Any:
        while True:
            try:
                return await super().receive(channel)
            except (RedisTimeoutError, RedisConnectionError, OSError) as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # A cancel (the socket closed, the loop shutting down) that reached us as the Redis
                    # client's timeout: retrying would swallow it and spin here for ever.
                    raise asyncio.CancelledError from exc
                logger.warning("channel layer receive failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(_RETRY_S)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        # Most runs are watched by nobody (API and webhook runs), and every node pokes its run twice:
        # one ZCARD settles that case, where channels_redis spends two round trips on it. A group
        # with members (expired ones included, which the full send cleans up) takes the full send.
        connection = self.connection(self.consistent_hash(group))
        if not await connection.zcard(self._group_key(group)):
            return
        await super().group_send(group, message)

    async def send_to_members(self, group: str, message: dict[str, Any]) -> None:
        """The full send, for a caller that has just seen members with has_members (no second ZCARD)."""
        await super().group_send(group, message)

    def has_members(self, group: str) -> bool:
        """The same ZCARD, asked synchronously from the caller's thread (a worker's node).

        Handing each poke to the event-loop thread (a coroutine, a future, a thread wake-up) cost
        more than the question itself: the unwatched case now never leaves the caller's thread.
        Only a group with members is handed on for the full send. True for a host not given as a
        URL (the full send decides); a Redis error is raised (notify_run logs it, skips the poke).
        """
        index = self.consistent_hash(group)
        client = self._sync_clients.get(index)
        if client is None:
            address = self.hosts[index].get("address")
            if not isinstance(address, str):
                return True  # a host given another way (sentinels): let the full send decide
            # Bounded: a Redis that stopped answering delays a node by a second, never hangs it.
            bounded = redis.Redis.from_url(
                address, socket_timeout=_SYNC_TIMEOUT_S, socket_connect_timeout=_SYNC_TIMEOUT_S
            )
            client = self._sync_clients.setdefault(index, bounded)
        return bool(client.zcard(self._group_key(group)))

    @property
    def _sync_clients(self) -> dict[int, Any]:
        clients = self.__dict__.get("_aos_sync_clients")
        if clients is None or self.__dict__.get("_aos_sync_pid") != os.getpid():
            clients = self.__dict__["_aos_sync_clients"] = {}  # a forked child opens its own
            self.__dict__["_aos_sync_pid"] = os.getpid()
        return clients
