"""Top-level URL map: health check, REST API, admin and the web pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from backend.api.views.health import HealthApi

urlpatterns = [
    path("healthz", HealthApi.as_view(), name="healthz"),
    path("v1/", include("backend.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("backend.web.urls")),
]
