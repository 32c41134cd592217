"""The Redis channel layer: a receive that survives a passing Redis error, a cheap send to nobody."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_RETRY_S = 0.5


class ResilientRedisChannelLayer(RedisChannelLayer):
    """Pokes are only a wake-up: the run socket re-reads the database on its own timer. So a Redis
    timeout or restart should pause pokes, not close every open websocket (which channels does when
    a consumer's channel receive raises)."""

    async def receive(self, channel: str) -> Any:
        while True:
            try:
                return await super().receive(channel)
            except (RedisTimeoutError, RedisConnectionError, OSError) as exc:
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
