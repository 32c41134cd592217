"""Websocket authentication middleware (filled by the live-runs work)."""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack


def RunSocketAuthMiddleware(inner):  # noqa: N802 - used like a class in asgi.py
    return AuthMiddlewareStack(inner)
