"""/hooks/ goes to Django's own ASGI handler (async views wait on the loop); every other path to the project's."""

from __future__ import annotations

import asyncio
from typing import Any

from django.core.handlers.asgi import ASGIHandler

from backend.core.asgi import SyncChainASGIHandler
from backend.triggers.asgi import HookRouter


def test_asgi_hook_router_sends_only_hook_paths_to_the_hooks_app() -> None:
    seen: list[tuple[str, str]] = []

    def app(name: str) -> Any:
        async def call(scope: Any, receive: Any, send: Any) -> None:
            seen.append((name, scope["path"]))

        return call

    router = HookRouter(app("default"), hooks=app("hooks"))
    for path in ("/hooks/abc", "/v1/runs", "/hooks", "/builder/"):
        asyncio.run(router({"type": "http", "path": path}, None, None))
    asyncio.run(router({"type": "websocket", "path": "/hooks/abc"}, None, None))
    assert seen == [("hooks", "/hooks/abc"), ("default", "/v1/runs"), ("default", "/hooks"),
                    ("default", "/builder/"), ("default", "/hooks/abc")]  # fmt: skip


def test_asgi_project_application_routes_hooks_to_djangos_own_handler() -> None:
    from backend.config.asgi import application

    router = application.application_mapping["http"].app
    assert isinstance(router, HookRouter)
    assert type(router.hooks) is ASGIHandler and isinstance(router.app, SyncChainASGIHandler)
