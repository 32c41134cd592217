"""The channel layer keeps a run socket's receive alive through a passing Redis error."""

from __future__ import annotations

from typing import Any

import pytest
from channels_redis.core import RedisChannelLayer
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.events import layers
from backend.events.layers import ResilientRedisChannelLayer


@pytest.mark.asyncio
async def test_layer_receive_retries_after_redis_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    async def flaky(self: Any, channel: str) -> dict[str, Any]:
        calls.append(channel)
        if len(calls) == 1:
            raise RedisTimeoutError("Timeout reading from 127.0.0.1:6379")
        return {"type": "run.poke", "seq": 7}

    monkeypatch.setattr(RedisChannelLayer, "receive", flaky)
    monkeypatch.setattr(layers, "_RETRY_S", 0.01)
    layer = ResilientRedisChannelLayer(hosts=["redis://127.0.0.1:6379/14"])
    assert await layer.receive("specific.abc!def") == {"type": "run.poke", "seq": 7}
    assert len(calls) == 2


def test_settings_use_the_resilient_layer(settings: Any) -> None:
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "backend.events.layers.ResilientRedisChannelLayer"


def _calls(client: Any, command: str) -> int:
    return int(client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0))


@pytest.mark.asyncio
async def test_layer_group_send_to_nobody_costs_one_command() -> None:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/14")
    layer = ResilientRedisChannelLayer(hosts=["redis://127.0.0.1:6379/14"])
    before = (_calls(client, "zcard"), _calls(client, "zrange"), _calls(client, "zremrangebyscore"))
    await layer.group_send("run.nobody-listens", {"type": "run.poke", "seq": 1})
    after = (_calls(client, "zcard"), _calls(client, "zrange"), _calls(client, "zremrangebyscore"))
    # A poke still in flight from an earlier test may add a ZCARD of its own, never a full send.
    assert after[0] - before[0] >= 1
    assert (after[1] - before[1], after[2] - before[2]) == (0, 0)


@pytest.mark.asyncio
async def test_layer_group_send_still_reaches_members() -> None:
    layer = ResilientRedisChannelLayer(hosts=["redis://127.0.0.1:6379/14"])
    channel = await layer.new_channel()
    await layer.group_add("run.someone-listens", channel)
    try:
        await layer.group_send("run.someone-listens", {"type": "run.poke", "seq": 5})
        assert await layer.receive(channel) == {"type": "run.poke", "seq": 5}
    finally:
        await layer.group_discard("run.someone-listens", channel)


def test_layer_has_members_asks_in_the_callers_thread() -> None:
    from asgiref.sync import async_to_sync

    layer = ResilientRedisChannelLayer(hosts=["redis://127.0.0.1:6379/14"])
    assert layer.has_members("run.sync-nobody") is False
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("run.sync-someone", channel)
    try:
        assert layer.has_members("run.sync-someone") is True
    finally:
        async_to_sync(layer.group_discard)("run.sync-someone", channel)
    assert layer.has_members("run.sync-someone") is False


def test_layer_has_members_is_bounded_when_redis_does_not_answer() -> None:
    import socket
    import time

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        layer = ResilientRedisChannelLayer(hosts=[f"redis://127.0.0.1:{port}/0"])
        started = time.monotonic()
        with pytest.raises(Exception) as caught:
            layer.has_members("run.silent")
        assert time.monotonic() - started < 5
        assert "Timeout" in type(caught.value).__name__


def test_notify_run_to_an_unwatched_run_never_reaches_the_loop(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    from backend.events import notify

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "backend.events.layers.ResilientRedisChannelLayer",
                    "CONFIG": {"hosts": ["redis://127.0.0.1:6379/14"]}}
    }  # fmt: skip
    scheduled: list[Any] = []
    monkeypatch.setattr(notify.asyncio, "run_coroutine_threadsafe", lambda coro, loop: scheduled.append(coro))
    notify.notify_run(run_id="nobody-watches-this", seq=1)
    assert scheduled == []


@pytest.mark.asyncio
async def test_layer_receive_cancelled_while_redis_times_out_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    async def cancel_seen_as_timeout(self: Any, channel: str) -> dict[str, Any]:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            raise TimeoutError from None  # what a client's own timeout context can turn a cancel into
        return {}

    monkeypatch.setattr(RedisChannelLayer, "receive", cancel_seen_as_timeout)
    monkeypatch.setattr(layers, "_RETRY_S", 0.01)
    layer = ResilientRedisChannelLayer(hosts=["redis://127.0.0.1:6379/14"])
    task = asyncio.ensure_future(layer.receive("specific.abc!def"))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=2)


def test_notify_run_to_a_watched_run_asks_redis_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import redis
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from backend.events import notify

    layer = get_channel_layer()
    assert isinstance(layer, ResilientRedisChannelLayer)
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(notify.group_name("someone-watches"), channel)
    client = redis.Redis.from_url(layer.hosts[0]["address"])
    scheduled: list[Any] = []
    monkeypatch.setattr(notify.asyncio, "run_coroutine_threadsafe", lambda coro, loop: scheduled.append(coro))
    try:
        before = _calls(client, "zcard")
        notify.notify_run(run_id="someone-watches", seq=3)
        assert len(scheduled) == 1

        async def run_scheduled() -> None:
            await scheduled[0]  # the full send, as the loop thread would run it

        async_to_sync(run_scheduled)()
        assert _calls(client, "zcard") - before == 1  # the thread's question only, not the layer's again
        assert async_to_sync(layer.receive)(channel) == {"type": "run.poke", "seq": 3}
    finally:
        async_to_sync(layer.group_discard)(notify.group_name("someone-watches"), channel)
