"""Requests per webhook, as fixed-window counters in Django's cache.

The cache is Redis when REDIS_URL is set (every web process shares the count) and the process's
memory otherwise: the embedded form serves HTTP from one uvicorn process, which then holds the only
count there is.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

_PERIODS = {"s": 1, "m": 60, "h": 3600}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """ "60/min" → (60, 60); "off" or "" → None."""
    if not rate or rate == "off":
        return None
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0]]


def hook_wait_s(hook_id: object, *, now: float | None = None) -> int:
    """Count one request to the hook; 0 when it is within the rate, else the seconds until the next window."""
    rate = parse_rate(settings.AUTOMATEOS["WEBHOOK_RATE"])
    if rate is None:
        return 0
    limit, period = rate
    now = time.time() if now is None else now
    window = int(now // period)
    key = f"hookrate:{hook_id}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = int(cache.incr(key))
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * period - now + 0.999))
