"""Django project configuration: settings, URLs, ASGI and Celery entry points."""

from __future__ import annotations

from backend.config.celery import app as celery_app

__all__ = ["celery_app"]
