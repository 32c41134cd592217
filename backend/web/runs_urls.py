"""Run history routes; include with `path("", include("backend.web.runs_urls"))` (no namespace of its own)."""

from __future__ import annotations

from django.urls import path

from backend.web import runs_views

urlpatterns = [
    path("runs/", runs_views.runs_page, name="runs"),
    path("runs/<uuid:run_id>/", runs_views.run_page, name="run-page"),
    path("runs/<uuid:run_id>/again/", runs_views.run_again, name="run-again"),
]
