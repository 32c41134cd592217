"""Websocket authentication: a Bearer header (API clients) or the session (browsers, Origin checked)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host

from backend.accounts.services import token_authenticate


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


@database_sync_to_async
def _user_for_token(raw: str) -> Any:
    token = token_authenticate(raw=raw)
    return token.user if token else AnonymousUser()


def origin_allowed(scope: dict[str, Any]) -> bool:
    """A session socket must come from one of our own pages (CSWSH protection)."""
    origin = _header(scope, b"origin")
    if not origin:
        return False
    host = urlparse(origin).netloc.rsplit(":", 1)[0] if urlparse(origin).netloc else ""
    own_host = (_header(scope, b"host") or "").rsplit(":", 1)[0]
    return bool(host) and (host == own_host or validate_host(host, settings.ALLOWED_HOSTS))


class RunSocketAuthMiddleware:
    """Sets scope["user"] and scope["auth"] ("bearer" or "session")."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.session_stack = AuthMiddlewareStack(self._session_checked)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        authorization = _header(scope, b"authorization") or ""
        scheme, _, raw = authorization.partition(" ")
        if scheme.lower() == "bearer" and raw.strip():
            user = await _user_for_token(raw.strip())
            return await self.inner(dict(scope, user=user, auth="bearer"), receive, send)
        return await self.session_stack(scope, receive, send)

    async def _session_checked(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(dict(scope, auth="session"), receive, send)
