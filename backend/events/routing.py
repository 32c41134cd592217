"""Websocket routes."""

from __future__ import annotations

from django.urls import path

from backend.events.consumers import RunEventsConsumer

websocket_urlpatterns = [
    path("ws/runs/<uuid:run_id>/", RunEventsConsumer.as_asgi()),
]
