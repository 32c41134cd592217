"""/v1/credentials: create, list, retrieve, rename, replace, delete; 409, 404 isolation, no value ever returned."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.test import APIClient

from backend.credentials.models import Credential
from backend.credentials.selectors import credential_decrypt

CANARY = "canary-api-4b1d8e2f9a6c"
DOC_KEYS = {"id", "name", "kind", "options", "maskedValue", "protected", "createdAt", "updatedAt", "lastUsedAt"}


def _create(api: APIClient, **overrides: Any) -> Any:
    body = {"name": "notionToken", "kind": "bearer_token", "value": CANARY, **overrides}
    return api.post("/v1/credentials", body, format="json")


def _text(response: Any) -> str:
    return response.content.decode() if response.content else ""


def test_credentials_api_create_returns_doc_without_value(api: APIClient) -> None:
    response = _create(api)
    assert response.status_code == 201
    doc = response.json()
    assert set(doc) == DOC_KEYS
    assert doc["name"] == "notionToken" and doc["kind"] == "bearer_token"
    assert doc["maskedValue"] == "can…6c"
    assert doc["lastUsedAt"] is None and doc["createdAt"].endswith("Z")
    assert CANARY not in _text(response)
    assert credential_decrypt(credential=Credential.objects.get(pk=doc["id"])).reveal() == CANARY


def test_credentials_api_list_and_retrieve(api: APIClient) -> None:
    created = _create(api).json()
    _create(api, name="apiKey", kind="api_key_header", options={"headerName": "X-Api-Key"})
    listing = api.get("/v1/credentials")
    assert listing.status_code == 200
    assert [c["name"] for c in listing.json()["results"]] == ["apiKey", "notionToken"]
    assert listing.json()["results"][0]["options"] == {"headerName": "X-Api-Key"}
    detail = api.get(f"/v1/credentials/{created['id']}")
    assert detail.status_code == 200 and detail.json() == created
    assert CANARY not in _text(listing) + _text(detail)


def test_credentials_api_rename_and_replace(api: APIClient) -> None:
    created = _create(api).json()
    url = f"/v1/credentials/{created['id']}"
    renamed = api.patch(url, {"name": "notion"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "notion"
    replaced = api.patch(url, {"value": CANARY + "-rotated"}, format="json")
    assert replaced.status_code == 200
    assert replaced.json()["maskedValue"] == "cana…ted"
    assert CANARY not in _text(renamed) + _text(replaced)
    row = Credential.objects.get(pk=created["id"])
    assert credential_decrypt(credential=row).reveal() == CANARY + "-rotated"


def test_credentials_api_delete(api: APIClient) -> None:
    created = _create(api).json()
    response = api.delete(f"/v1/credentials/{created['id']}")
    assert response.status_code == 204
    assert api.get(f"/v1/credentials/{created['id']}").status_code == 404


def test_credentials_api_duplicate_name_409(api: APIClient) -> None:
    first = _create(api).json()
    response = _create(api)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "name_taken"
    assert CANARY not in _text(response)
    second = _create(api, name="other").json()
    clash = api.patch(f"/v1/credentials/{second['id']}", {"name": first["name"], "value": CANARY}, format="json")
    assert clash.status_code == 409 and CANARY not in _text(clash)


def test_credentials_api_isolates_owners(api: APIClient, other_api: APIClient) -> None:
    created = _create(api).json()
    url = f"/v1/credentials/{created['id']}"
    assert other_api.get(url).status_code == 404
    assert other_api.patch(url, {"name": "stolen"}, format="json").status_code == 404
    assert other_api.delete(url).status_code == 404
    assert other_api.get("/v1/credentials").json()["results"] == []
    assert _create(other_api).status_code == 201  # same name, other owner


def test_credentials_api_errors_never_echo_value(api: APIClient) -> None:
    created = _create(api, name="base").json()
    bad_bodies = [
        {"name": "bad name", "kind": "bearer_token", "value": CANARY},
        {"name": "ok", "kind": "nope", "value": CANARY},
        {"name": "ok", "kind": "basic_auth", "value": CANARY},
        {"name": "ok", "kind": "bearer_token", "value": CANARY + "\n"},
        {"name": "ok", "kind": "bearer_token", "value": CANARY, "extra": 1},
        {"name": "ok", "kind": "api_key_header", "value": CANARY, "options": {"headerName": "bad header"}},
        {"name": "ok", "kind": "bearer_token", "value": [CANARY]},
        {"name": "ok", "kind": "bearer_token", "value": CANARY * 2000},
        {"kind": "bearer_token", "value": CANARY},
    ]
    for body in bad_bodies:
        response = api.post("/v1/credentials", body, format="json")
        assert response.status_code == 400, body
        assert "error" in response.json()
        assert CANARY not in _text(response)
    patch_url = f"/v1/credentials/{created['id']}"
    for body in (
        {"value": CANARY + "\r\n"},
        {"kind": "secret_text", "value": CANARY},
        {"name": "x y", "value": CANARY},
    ):
        response = api.patch(patch_url, body, format="json")
        assert response.status_code == 400, body
        assert CANARY not in _text(response)
    malformed = api.generic("POST", "/v1/credentials", '{"value": "' + CANARY + '",', content_type="application/json")
    assert malformed.status_code == 400 and CANARY not in _text(malformed)


def test_credentials_api_requires_auth() -> None:
    assert APIClient().get("/v1/credentials").status_code == 401


def test_credentials_api_value_absent_from_every_column(api: APIClient) -> None:
    created = _create(api).json()
    row = Credential.objects.filter(pk=created["id"]).values().get()
    for column, value in row.items():
        if column == "ciphertext":
            continue
        assert CANARY not in (
            json.dumps(value, default=str) if not isinstance(value, bytes | memoryview) else str(bytes(value))
        )


def test_credentials_api_refuses_null_for_a_field_instead_of_ignoring_it(api: APIClient) -> None:
    created = _create(api).json()
    for body in ({"name": None}, {"value": None}):
        response = api.patch(f"/v1/credentials/{created['id']}", body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["error"]["details"] == {next(iter(body)): ["must be a string"]}
    assert (
        api.post("/v1/credentials", {"name": None, "kind": "bearer_token", "value": "v"}, format="json").status_code
        == 400
    )


def test_credentials_api_refuses_a_body_that_is_not_an_object(api: APIClient) -> None:
    for raw in ("[]", '"x"', "3", "null"):
        response = api.generic("POST", "/v1/credentials", raw, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"]["details"] == {"body": ["must be an object"]}
    assert not Credential.objects.exists()
