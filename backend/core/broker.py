"""kombu transports as the project runs them: Redis with one reused sync client per channel (the stock one
builds one per call); the embedded folder broker with messages that appear whole."""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem as kombu_filesystem
from kombu.transport import redis as kombu_redis
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

# The stubs (celery-types) leave out the channels' private methods that these override.
_StockChannel: Any = kombu_redis.Channel
_StockFolderChannel: Any = kombu_filesystem.Channel


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


class FilesystemChannel(_StockFolderChannel):
    """The stock folder broker creates a message's file and then writes it, while a consumer moves
    and reads any `*.<queue>.msg` it lists: a worker that reads between the two gets an empty file,
    and kombu's JSON error there stops the worker ("Unrecoverable error", seen in the embedded-mode
    test). Here the message is written under a name no consumer matches, then renamed into place,
    which POSIX makes atomic: a consumer sees no file, or the whole message."""

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        # The stock name: the millisecond prefix keeps consumers reading in sending order.
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")  # ".<…>.part" matches no queue
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class FilesystemTransport(kombu_filesystem.Transport):
    Channel = FilesystemChannel
