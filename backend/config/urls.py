"""Top-level URL map: health check, REST API, admin and the web pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from backend.api.views.health import HealthApi
from backend.api.views.not_found import api_not_found

urlpatterns = [
    path("healthz", HealthApi.as_view(), name="healthz"),
    path("v1/", include("backend.api.urls")),
    # Whatever under /v1 no API route takes (`/v1/nope`, `/v1/runs/123`) gets the JSON envelope, in
    # debug mode too (Django's handler404 is bypassed there), never an HTML page.
    re_path(r"^v1(?:/|$)", api_not_found, name="api-not-found"),
    path("admin/", admin.site.urls),
    path("", include("backend.triggers.urls")),
    path("", include("backend.web.urls")),
]
