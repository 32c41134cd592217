"""ASGI entry point: Django for HTTP, Channels for the run websockets."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from backend.core.body_limit import BodyLimit  # noqa: E402
from backend.events.auth import RunSocketAuthMiddleware  # noqa: E402
from backend.events.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi_app, limit=lambda: settings.MAX_REQUEST_BYTES),
        "websocket": RunSocketAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
