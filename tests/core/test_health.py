"""GET /healthz reports the database, the broker and the workers, 503 naming what fails."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from backend.core.liveness import BEAT_STALE_S, supervisor_status_path, worker_beat
from backend.core.models import WorkerBeat


@pytest.mark.django_db
def test_health_ok_with_database_broker_and_a_worker() -> None:
    worker_beat(name="host:1")
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok", "broker": "ok", "worker": "ok"}
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_health_names_missing_worker() -> None:
    WorkerBeat.objects.create(name="host:2", seen_at=timezone.now() - timedelta(seconds=BEAT_STALE_S + 1))
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"] and body["database"] == "ok"
    assert body["worker"] == f"error: no worker has reported in the last {BEAT_STALE_S:.0f} s"


@pytest.mark.django_db
def test_health_names_the_launchers_last_error(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    supervisor_status_path().write_text(
        json.dumps({"worker": "exited: ModuleNotFoundError: No module named 'packaging'"})
    )
    body = Client().get("/healthz").json()
    assert body["worker"] == "error: worker exited: ModuleNotFoundError: No module named 'packaging'"


@pytest.mark.django_db
def test_health_web_scope_needs_no_worker() -> None:
    response = Client().get("/healthz?scope=web")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_health_names_failing_broker(settings: Any) -> None:
    from backend.config.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = Client().get("/healthz?scope=web")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False and body["database"] == "ok" and body["failing"] == ["broker"]
