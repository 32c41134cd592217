"""Login lockout adapters for django-axes: the client address it counts, and the page a locked-out user sees."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the socket's, or behind TRUSTED_PROXY_COUNT proxies the one they recorded."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        # Each trusted proxy appends the address it saw; entries left of those are the client's own claims.
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-count] if len(hops) >= count else hops[0]
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The sign-in page with the lockout explained, as 429 (for /login/ and /admin/login/ alike)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    context = {"locked_out": True, "cooloff_minutes": minutes, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
