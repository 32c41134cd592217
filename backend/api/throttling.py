"""Rate limits per API token (per user for browser sessions)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        auth = getattr(request, "auth", None)
        if auth is not None and hasattr(auth, "lookup"):
            return self.cache_format % {"scope": self.scope, "ident": f"t:{auth.lookup}"}
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"u:{request.user.pk}"}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
