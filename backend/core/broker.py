"""kombu's Redis transport with one reused synchronous client per channel (the stock one builds one per call)."""

from __future__ import annotations

import threading
from typing import Any

from kombu.transport import redis as kombu_redis

# The stubs (celery-types) leave out the channel's private client factory that this overrides.
_StockChannel: Any = kombu_redis.Channel


class Channel(_StockChannel):
    """Every publish, ack and delivery bookkeeping call of the stock channel constructs a new
    `redis.Redis` around the same connection pool, and redis-py 8 fills a ~200-entry callback
    table per construction: about a tenth of a worker's CPU per node (py-spy, `make bench`). A
    client over a pool is thread-safe (each command borrows a pooled connection; pipelines are
    their own objects), so one per channel and pool serves every thread."""

    _sync_client: Any = None
    _sync_client_pool: Any = None
    _sync_client_lock = threading.Lock()

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool  # a new pool after a fork or a disconnect: the client follows it
        client = self._sync_client
        if client is None or self._sync_client_pool is not pool:
            with self._sync_client_lock:
                if self._sync_client is None or self._sync_client_pool is not pool:
                    self._sync_client = super()._create_client(asynchronous=False)
                    self._sync_client_pool = pool
                client = self._sync_client
        return client


class Transport(kombu_redis.Transport):
    Channel = Channel
