"""Websocket routes: the run event stream, and a refusal for every other path."""

from __future__ import annotations

from django.urls import path, re_path

from backend.events.consumers import NoSuchSocketConsumer, RunEventsConsumer

websocket_urlpatterns = [
    path("ws/runs/<uuid:run_id>/", RunEventsConsumer.as_asgi()),
    # Last, matching anything: without it a path no route takes (a run id that is not a UUID, a
    # typo) makes the router raise, and the server answers the handshake with a 500.
    re_path(r"", NoSuchSocketConsumer.as_asgi()),
]
