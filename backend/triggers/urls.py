"""The webhook endpoint, outside /v1: /hooks/<token>."""

from __future__ import annotations

from django.urls import path

from backend.triggers.views import hook

urlpatterns = [
    path("hooks/<str:token>", hook, name="webhook"),
]
