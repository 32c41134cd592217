"""Trigger fixtures: a saved workflow of `user`, its webhook, and helpers to sign and post to it."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from backend.workflows.services import workflow_create
from tests.support.graphs import builder_file, chain, http_node, start_node


def hook_graph(url: str = "http://127.0.0.1:9/never") -> dict[str, Any]:
    """start → notify, whose URL and header read the trigger's data."""
    notify = http_node(
        "notify",
        url + "?event={{trigger.headers.x-github-event}}&ref={{trigger.query.ref}}",
        method="POST",
        headers={"X-Event": "{{trigger.headers.x-github-event}}"},
        body='{"title": "{{payload.title}}"}',
    )
    return builder_file([start_node(), notify], chain("start", "notify"), name="Hooked")


@pytest.fixture
def workflow(user: Any) -> Any:
    return workflow_create(owner=user, name="Hooked", graph=hook_graph())


@pytest.fixture(autouse=True)
def _fresh_rate_counts() -> None:
    # The rate counters live in the cache (Redis here), which outlives a test's database.
    cache.clear()


def enable(api: APIClient, workflow: Any, **options: Any) -> dict[str, Any]:
    response = api.put(f"/v1/workflows/{workflow.pk}/webhook", options, format="json")
    assert response.status_code == 200, response.content
    return dict(response.json())


def post_hook(path: str, body: Any = None, *, content_type: str = "application/json", **headers: str) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    return Client().post(path, data=raw, content_type=content_type, headers=headers)


def github_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
