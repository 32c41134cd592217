"""GET /healthz reports the database and the broker, 503 naming what fails."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_health_ok_with_database_and_broker() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok", "broker": "ok"}
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_health_names_failing_broker(settings: Any) -> None:
    from backend.config.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = Client().get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False and body["database"] == "ok" and body["failing"] == ["broker"]
