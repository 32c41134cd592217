"""The project's URL map plus the run pages, for tests that run before (or after) they are wired in."""

from __future__ import annotations

from django.urls import include, path

from backend.config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("", include("backend.web.runs_urls"))]
