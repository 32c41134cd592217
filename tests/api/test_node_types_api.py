"""GET /v1/node-types: the registry's kinds with their config JSON Schemas."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def test_node_types_lists_every_kind_with_schema(api: APIClient) -> None:
    response = api.get("/v1/node-types")
    assert response.status_code == 200
    kinds = {t["kind"]: t for t in response.json()["results"]}
    assert set(kinds) >= {"start", "http"}
    http = kinds["http"]
    assert set(http) == {"kind", "label", "description", "color", "aliases", "schema", "outputs", "outputsFrom"}
    assert http["aliases"] == ["http_request_node"]
    assert http["schema"]["type"] == "object" and "url" in http["schema"]["required"]
    assert set(http["schema"]["properties"]) >= {"method", "url", "headers", "body", "json_body", "auth"}
    assert kinds["start"]["schema"]["properties"] == {}
    assert kinds["start"]["color"].startswith("#")


def test_node_types_requires_auth(db: Any) -> None:
    response = APIClient().get("/v1/node-types")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
