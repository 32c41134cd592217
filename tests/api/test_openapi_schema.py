"""The OpenAPI schema: valid with no warning, public, complete for every operation; Swagger UI served offline."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.support.owned import owned_path
from tests.support.routes import UNOWNED, v1_routes

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def schema() -> dict[str, Any]:
    return APIClient().get("/v1/schema/?format=json").json()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op) for path, item in schema["paths"].items() for method, op in item.items() if method in METHODS
    ]


def test_openapi_schema_validates_without_warnings() -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())


def test_openapi_schema_is_public_as_yaml_and_json() -> None:
    anonymous = APIClient()
    as_yaml = anonymous.get("/v1/schema/")
    assert as_yaml.status_code == 200 and as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(as_yaml.content)
    assert document["openapi"].startswith("3.")
    as_json = anonymous.get("/v1/schema/", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 200 and json.loads(as_json.content) == document
    assert json.loads(anonymous.get("/v1/schema/?format=json").content) == document
    # A stale token in a client's settings does not turn the schema into a 401.
    stale = APIClient(HTTP_AUTHORIZATION="Bearer aos_000000000000_nope")
    assert stale.get("/v1/schema/").status_code == 200


def test_openapi_schema_declares_bearer_and_session_security(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "an API token: `Authorization: Bearer aos_…`",
    }
    assert schemes["sessionAuth"]["in"] == "cookie"
    secured = [(path, method) for path, method, op in _operations(schema) if _signed_in(op)]
    assert len(secured) >= 20
    for path, method, op in _operations(schema):
        if _signed_in(op):
            assert {"sessionAuth": []} in op["security"], (path, method)


def _signed_in(op: dict[str, Any]) -> bool:
    """An operation that needs a sign-in (a public one, such as a webhook receiver, declares no scheme)."""
    return {"bearerAuth": []} in op.get("security", [])


def test_openapi_every_operation_has_summary_tags_examples_and_error_envelope(schema: dict[str, Any]) -> None:
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"] and "$ref" in error["properties"]["error"]
    for path, method, op in _operations(schema):
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("tags"), where
        responses = op["responses"]
        assert "429" in responses, where
        if _signed_in(op):
            assert "401" in responses, where
        for code, response in responses.items():
            if code == "204":
                continue
            content = response["content"]["application/json"]
            assert content.get("examples"), f"{where} {code} has no example"
            if code.startswith(("4", "5")):
                assert content["schema"] == {"$ref": ERROR_REF}, f"{where} {code}"
        if "{" in path:
            assert "404" in responses, where
        if method in ("post", "put", "patch") and "requestBody" in op:
            assert "400" in responses and "413" in responses, where


def test_openapi_schema_lists_every_v1_route_and_method(schema: dict[str, Any]) -> None:
    for route in v1_routes():
        if route.path in UNOWNED:
            continue
        assert route.path in schema["paths"], f"{route.path} is served but missing from the schema"
        documented = {method.upper() for method in schema["paths"][route.path] if method in METHODS}
        assert documented == set(route.methods()), route.path


def test_swagger_ui_is_served_from_the_app_without_inline_code() -> None:
    page = APIClient().get("/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html
    assert "<script>" not in html and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    script = APIClient().get("/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/v1/schema/" in script.content.decode()


@pytest.mark.usefixtures("discard_dispatch")
def test_openapi_request_bodies_are_enforced_as_documented(schema: dict[str, Any], api: APIClient, user: Any) -> None:
    """Each documented body: a field it does not list is refused, and so is a body missing one it requires."""
    components = schema["components"]["schemas"]
    for path, method, op in _operations(schema):
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        body_schema = components[content["schema"]["$ref"].rsplit("/", 1)[-1]]
        url = owned_path(path, user)
        unknown = api.generic(method.upper(), url, json.dumps({"zzUnknown": 1}), content_type="application/json")
        assert unknown.status_code == 400, (method, path, unknown.content)
        assert "zzUnknown" in unknown.json()["error"]["details"], (method, path)
        required = body_schema.get("required", [])
        if required:
            empty = api.generic(method.upper(), url, "{}", content_type="application/json")
            assert empty.status_code == 400, (method, path)
            assert set(required) <= set(empty.json()["error"]["details"]), (method, path, empty.json())


def test_openapi_trigger_bodies_are_the_options_the_services_take() -> None:
    from backend.api import shapes
    from backend.triggers import schedule_services, webhook_services

    assert set(shapes.WebhookPutSerializer().fields) == set(webhook_services.OPTIONS)
    assert set(shapes.SchedulePutSerializer().fields) == set(schedule_services.FIELDS)
