"""Per-token rate limit: a fixed-window counter per token, 429 with Retry-After past the budget."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from backend.api.throttling import parse_rate

pytestmark = pytest.mark.django_db


def test_parse_rate_reads_count_and_period() -> None:
    assert parse_rate("20000/min") == (20000, 60)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate(None) == (None, None)


def test_throttle_answers_429_past_the_budget_per_token(
    api: APIClient, other_api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.clear()
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "token", "3/min")
    statuses = [api.get("/v1/runs").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/v1/runs")
    assert limited.json()["error"]["code"] == "throttled"
    assert 0 < int(limited["Retry-After"]) <= 60
    assert other_api.get("/v1/runs").status_code == 200  # another token has its own budget


def test_throttle_is_off_without_a_rate(api: APIClient, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "token", None)
    assert all(api.get("/v1/runs").status_code == 200 for _ in range(5))


def test_throttle_window_key_expires_with_its_window(settings: Any) -> None:
    from backend.api.throttling import _count, _redis

    key = "throttle:test:ttl"
    client = _redis(settings.REDIS_URL)
    client.delete(key)
    assert [_count(key, 61) for _ in range(3)] == [1, 2, 3]
    assert 0 < client.ttl(key) <= 61  # set by the first request, not pushed back by later ones
    client.delete(key)


def test_throttle_counts_in_the_cache_without_redis(settings: Any) -> None:
    from backend.api.throttling import _count

    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [_count("throttle:test:embedded", 61) for _ in range(3)] == [1, 2, 3]
