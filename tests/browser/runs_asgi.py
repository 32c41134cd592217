"""The project's ASGI app (HTTP + run websockets) with static files served, for a daphne child process."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.browser.runs_settings")

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from backend.config.asgi import application as project_application

application = ASGIStaticFilesHandler(project_application)
