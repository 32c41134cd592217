"""Web pages (the builder work fills these in)."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
