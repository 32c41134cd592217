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
