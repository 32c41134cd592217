"""The project's kombu Redis transport: one reused sync client, following a new pool, same wire behaviour."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from kombu import Connection, Exchange, Queue

from backend.core.broker import Transport


@pytest.fixture
def channel() -> Iterator[Any]:
    with Connection(settings.REDIS_URL, transport=Transport) as conn:
        chan = conn.channel()
        try:
            yield chan
        finally:
            chan.close()


def test_broker_settings_select_the_project_transport() -> None:
    from backend.config.celery import app

    with app.connection_for_write() as conn:
        assert conn.transport_cls == "backend.core.broker:Transport"
        assert isinstance(conn.transport, Transport)


def test_broker_sync_client_reused_across_calls(channel: Any) -> None:
    first = channel._create_client()
    assert channel._create_client() is first
    with channel.conn_or_acquire() as client:
        assert client is first
    assert channel._create_client(asynchronous=True) is not first  # the consumer's own client


def test_broker_sync_client_follows_a_new_pool(channel: Any) -> None:
    first = channel._create_client()
    channel._disconnect_pools()  # what kombu does after a fork
    second = channel._create_client()
    assert second is not first
    assert second.connection_pool is channel.pool
    assert second.ping() is True


def test_broker_publish_consume_ack_round_trip(channel: Any) -> None:
    name = f"test-broker-{uuid.uuid4().hex}"
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    with Connection(settings.REDIS_URL, transport=Transport) as conn:
        producer = conn.Producer(serializer="json")
        for i in range(3):
            producer.publish({"i": i}, exchange=queue.exchange, routing_key=name, declare=[queue])
        received: list[int] = []
        tags: list[str] = []

        def on_message(body: Any, message: Any) -> None:
            received.append(body["i"])
            tags.append(message.delivery_tag)
            message.ack()

        with conn.Consumer(queue, callbacks=[on_message]):
            while len(received) < 3:
                conn.drain_events(timeout=5)
        assert sorted(received) == [0, 1, 2]
        client = conn.default_channel._create_client()
        # Acked: nothing is left in kombu's unacked bookkeeping for these deliveries.
        assert client.hmget(conn.default_channel.unacked_key, tags) == [None, None, None]
        queue(conn.default_channel).delete()


def _folder_connection(folder: Any) -> Connection:
    from backend.core.broker import FilesystemTransport

    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False,
               "polling_interval": 0.01, "control_folder": str(folder)}  # fmt: skip
    return Connection("filesystem://", transport=FilesystemTransport, transport_options=options)


def test_folder_broker_message_is_never_visible_half_written(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from backend.core import broker

    seen_before_rename: list[list[str]] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        seen_before_rename.append(sorted(os.listdir(tmp_path)))
        real_replace(src, dst)

    monkeypatch.setattr(broker.os, "replace", replace)
    queue = Queue("q", Exchange("q", type="direct"), routing_key="q")
    with _folder_connection(tmp_path) as conn:
        conn.Producer(serializer="json").publish({"n": 1}, exchange=queue.exchange, routing_key="q", declare=[queue])
        # Only the partial file existed before the rename, under a name no consumer takes.
        assert seen_before_rename and all(not name.endswith(".q.msg") for names in seen_before_rename for name in names)
        with conn.SimpleQueue(queue) as simple:
            message = simple.get(timeout=5)
            assert message.payload == {"n": 1}
            message.ack()
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]
