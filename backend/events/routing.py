"""Websocket routes (filled by the live-runs work)."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
