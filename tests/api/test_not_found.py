"""Every 404 under /v1 is the JSON error envelope (unknown paths, ids that are not UUIDs); pages keep HTML."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _assert_json_404(response: Any) -> None:
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert set(error) == {"code", "message", "details", "requestId"}
    assert error["requestId"] == response["X-Request-ID"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/nope",
        "/v1",
        "/v1/",
        "/v1/runs/123",
        "/v1/runs/123/events",
        "/v1/workflows/abc",
        "/v1/workflows/abc/export",
        "/v1/credentials/xyz",
        "/v1/runs/00000000-0000-0000-0000-000000000000/nope",
    ],
)
def test_api_unknown_path_is_json_404(api: APIClient, path: str) -> None:
    _assert_json_404(api.get(path))


def test_api_unknown_path_is_json_404_for_any_method_and_without_auth() -> None:
    client = APIClient(enforce_csrf_checks=True)
    for method in ("post", "put", "patch", "delete"):
        _assert_json_404(getattr(client, method)("/v1/runs/123", data="{}", content_type="application/json"))


def test_api_unknown_path_is_json_404_in_debug_mode(api: APIClient, settings: Any) -> None:
    settings.DEBUG = True
    _assert_json_404(api.get("/v1/runs/123"))


def test_api_unknown_path_keeps_client_request_id(api: APIClient) -> None:
    response = api.get("/v1/nope", HTTP_X_REQUEST_ID="my-req-404")
    _assert_json_404(response)
    assert response["X-Request-ID"] == "my-req-404"


def test_api_not_found_leaves_pages_html(api: APIClient) -> None:
    response = api.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
