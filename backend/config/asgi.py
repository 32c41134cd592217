"""ASGI entry point: Django for HTTP, Channels for the run websockets."""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
django.setup(set_prefix=False)  # what get_asgi_application() does before building its handler

from backend.core.asgi import SyncChainASGIHandler  # noqa: E402

django_asgi_app = SyncChainASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from backend.core.body_limit import BodyLimit  # noqa: E402
from backend.events.auth import RunSocketAuthMiddleware  # noqa: E402
from backend.events.routing import websocket_urlpatterns  # noqa: E402
from backend.triggers.asgi import HookRouter  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(HookRouter(django_asgi_app), limit=lambda: settings.MAX_REQUEST_BYTES),
        "websocket": RunSocketAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)

from backend.core.heap import freeze_startup_objects  # noqa: E402

freeze_startup_objects()  # after every import the server needs to answer a request
