"""Rate limits per API token (per user for browser sessions), as fixed-window counters.

DRF's SimpleRateThrottle keeps every request's timestamp of the window in one cache entry, so at a
high rate each request reads and rewrites a list thousands long; a counter costs the same at any
rate (one INCR), which matters on the hottest endpoint, POST /v1/runs.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int | None, int | None]:
    """ "20000/min" → (20000, 60); None (no rate) → (None, None)."""
    if not rate:
        return None, None
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


class TokenRateThrottle(BaseThrottle):
    scope = "token"

    def __init__(self) -> None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = parse_rate(rate if isinstance(rate, str) else None)
        self.wait_s = 0.0

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.num_requests is None or self.duration is None:
            return True
        window = int(time.time() // self.duration)
        key = f"throttle:{self.scope}:{self.ident(request)}:{window}"
        count = _count(key, self.duration + 1)
        if count <= self.num_requests:
            return True
        self.wait_s = (window + 1) * self.duration - time.time()
        return False

    def wait(self) -> float | None:
        return max(self.wait_s, 0.0)

    def ident(self, request: Request) -> str:
        return _ident(request, self)


class VaultRateThrottle(TokenRateThrottle):
    """Passphrase attempts, counted per user whichever token or session sends them."""

    scope = "vault"

    def ident(self, request: Request) -> str:
        user = request.user
        return f"u:{user.pk}" if user and user.is_authenticated else f"a:{self.get_ident(request)}"


def _ident(request: Request, throttle: BaseThrottle) -> str:
    auth = getattr(request, "auth", None)
    if auth is not None and hasattr(auth, "lookup"):
        return f"t:{auth.lookup}"
    if request.user and request.user.is_authenticated:
        return f"u:{request.user.pk}"
    return f"a:{throttle.get_ident(request)}"


@functools.cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def _count(key: str, ttl: int) -> int:
    """One more request in the window `key`; returns how many it has seen, this one included."""
    if settings.REDIS_URL:
        # One round trip on a client kept per process: the cache API needs two (add, then incr),
        # each on a client it builds anew.
        pipe = _redis(settings.REDIS_URL).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, ttl, nx=True)
        return int(pipe.execute()[0])
    cache.add(key, 0, timeout=ttl)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(key, 1, timeout=ttl)
        return 1
