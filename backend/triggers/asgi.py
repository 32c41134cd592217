"""Routes /hooks/ to Django's own ASGI handler, whose async views await on the event loop.

The project's handler (backend/core/asgi.py) runs every view in one thread hop, so an async view
there would hold its thread while it waits; a webhook answering with its run's result waits for
up to 30 s.
"""

from __future__ import annotations

from typing import Any

from django.core.handlers.asgi import ASGIHandler

PREFIX = "/hooks/"


class HookRouter:
    def __init__(self, app: Any, hooks: Any | None = None) -> None:
        self.app = app
        self.hooks = hooks or ASGIHandler()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(PREFIX):
            await self.hooks(scope, receive, send)
        else:
            await self.app(scope, receive, send)
