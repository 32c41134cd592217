"""The Celery application; workers start it with `celery -A backend.config.celery worker`."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

app = Celery("automateos", include=["workers.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
