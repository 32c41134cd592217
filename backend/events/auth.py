"""Websocket authentication: a Bearer header (API clients) or the session (browsers, Origin checked)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

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


def _scheme(scope: dict[str, Any]) -> str:
    """The page scheme a browser would show for this socket: ws→http, wss→https.

    Daphne leaves `scheme` out of websocket scopes (ASGI's default is "ws"); behind a TLS proxy the
    proxy's header decides, as for Django's `request.is_secure()` when SECURE_PROXY_SSL_HEADER is set.
    """
    scheme = "https" if scope.get("scheme", "ws") in ("wss", "https") else "http"
    if settings.SECURE_PROXY_SSL_HEADER:
        meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        header = _header(scope, meta_name.removeprefix("HTTP_").lower().replace("_", "-").encode())
        if header is not None:
            scheme = "https" if header.split(",", 1)[0].strip() == secure_value else "http"
    return scheme


def _own_origin(scope: dict[str, Any]) -> str | None:
    """`<scheme>://<Host header>` when the host is one we serve (Django's `get_host()` rules)."""
    host = _header(scope, b"x-forwarded-host") if settings.USE_X_FORWARDED_HOST else None
    host = host or _header(scope, b"host")
    if not host:
        return None
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    domain, _ = split_domain_port(host)
    if not (domain and validate_host(domain, allowed_hosts)):
        return None
    return f"{_scheme(scope)}://{host}"


def origin_allowed(scope: dict[str, Any]) -> bool:
    """A session socket must come from one of our own pages (CSWSH protection).

    Same rules as Django's CSRF Origin check: scheme, host and port must equal this request's own
    origin or an entry of CSRF_TRUSTED_ORIGINS (`https://*.example.com` allows its subdomains on that
    scheme). Matching the host name alone would let any other local web app (another port on
    localhost) open sockets carrying the user's session.
    """
    origin = _header(scope, b"origin")
    if not origin:
        return False
    if origin == _own_origin(scope):
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in {o for o in trusted if "*" not in o}:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parsed.netloc, pattern.netloc.lstrip("*"))
        for pattern in (urlsplit(o) for o in trusted if "*" in o)
        if pattern.scheme == parsed.scheme
    )


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
