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


def test_node_types_lists_branch_switch_and_transform_with_their_outputs(api: APIClient) -> None:
    kinds = {t["kind"]: t for t in api.get("/v1/node-types").json()["results"]}
    branch, switch, transform = kinds["branch"], kinds["switch"], kinds["transform"]
    assert (branch["label"], branch["outputs"], branch["outputsFrom"]) == ("Branch (if/else)", ["true", "false"], None)
    assert branch["schema"]["properties"]["condition"]["x-widget"] == "condition"
    assert set(branch["schema"]["$defs"]) == {"ConditionRule", "ConditionGroup"}
    assert (switch["outputs"], switch["outputsFrom"]) == (["default"], "cases")
    assert switch["schema"]["$defs"]["SwitchCase"]["properties"]["condition"]["x-widget"] == "condition"
    assert transform["label"] == "Transform (set fields)" and transform["outputs"] == []
    assert set(transform["schema"]["properties"]) >= {"source", "keep", "drop", "rename", "set", "on_error", "note"}


def test_node_types_requires_auth(db: Any) -> None:
    response = APIClient().get("/v1/node-types")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
