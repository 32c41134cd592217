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
