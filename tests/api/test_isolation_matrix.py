"""Isolation matrix: every /v1 route with an object id in its path, by every method it answers. Another
user's request for the owner's object is a 404 in the error envelope and changes no row of any table.

Routes come from the URL resolver, so a route added later is in the matrix the day it is added; one whose
id kind has no factory in tests/support/owned.py fails here, naming the route. Public routes (AllowAny,
e.g. an incoming webhook reached by its secret URL) belong to no signed-in user and are left out.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from tests.support.owned import OWNED, owned_path
from tests.support.routes import Route, v1_routes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("discard_dispatch")]

ROUTES = [route for route in v1_routes() if route.params and not route.public]
CASES = [pytest.param(route, method, id=f"{method} {route.path}") for route in ROUTES for method in route.methods()]


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the project's models map (sessions and caches included)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        rows[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return rows


def _request_body(schema: dict[str, Any], route: Route, method: str) -> Any:
    """The operation's documented request example (a body the view accepts up to its lookup), else {}."""
    operation = schema["paths"].get(route.path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    for example in (content.get("examples") or {}).values():
        return example["value"]
    return {}


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        return json.loads(APIClient().get("/v1/schema/?format=json").content)


def test_isolation_matrix_covers_every_route_with_an_id() -> None:
    assert {route.path for route in ROUTES} >= {
        "/v1/workflows/{workflow_id}",
        "/v1/runs/{run_id}/cancel",
        "/v1/credentials/{credential_id}",
        "/v1/tokens/{token_id}",
    }
    for route in ROUTES:
        missing = [name for name in route.params if name not in OWNED]
        if missing:
            pytest.fail(
                f"{route.path}: no factory for {', '.join(missing)}; add one to OWNED in tests/support/owned.py "
                "so the isolation matrix can make an object of that kind"
            )


@pytest.mark.parametrize(("route", "method"), CASES)
def test_isolation_another_users_object_is_404_and_changes_nothing(
    route: Route, method: str, user: Any, other_api: APIClient, schema: dict[str, Any]
) -> None:
    missing = [name for name in route.params if name not in OWNED]
    if missing:
        pytest.fail(f"{route.path}: no factory for {', '.join(missing)} in tests/support/owned.py")
    path = owned_path(route.path, user)
    other_api.get("/v1/tokens")  # the intruder's token records its first use before the snapshot
    before = _snapshot()
    body = _request_body(schema, route, method)
    response = other_api.generic(method, path, json.dumps(body), content_type="application/json")
    assert response.status_code == 404, (method, path, response.content)
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["message"] and "details" in error
    assert _snapshot() == before, f"{method} {path} by another user changed the database"
