"""The request-size limit holds for bodies without Content-Length (Transfer-Encoding: chunked).

uvicorn (like daphne before it) de-chunks such a body and hands all of it to Django without a
content-length header; the AsyncClient below builds exactly that ASGI request, so the whole stack
(ASGIRequest, middleware, DRF) sees what it sees behind the server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.test.client import FakePayload

from backend.accounts.services import token_create
from backend.runs.models import Run
from tests.support.graphs import start_node

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("discard_dispatch")]


def _post_chunked(user: Any, body: bytes) -> Any:
    _, token = token_create(user=user)
    headers = [
        (b"host", b"testserver"),
        (b"content-type", b"application/json"),
        (b"transfer-encoding", b"chunked"),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    request = AsyncClient().request
    return async_to_sync(request)(method="POST", path="/v1/runs", headers=headers, _body_file=FakePayload(body))


def _body(payload_bytes: int) -> bytes:
    graph = {"nodes": [start_node()], "edges": []}
    return json.dumps({"graph": graph, "payload": {"p": "x" * payload_bytes}}).encode()


def test_request_size_chunked_body_over_limit_is_413_and_nothing_stored(user: Any, settings: Any) -> None:
    response = _post_chunked(user, _body(2 * settings.MAX_REQUEST_BYTES))
    assert response.status_code == 413
    error = json.loads(response.content)["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"] == {"limit": settings.MAX_REQUEST_BYTES}
    assert error["requestId"] == response["X-Request-ID"]
    assert not Run.objects.exists()


def test_request_size_chunked_body_one_byte_over_limit_is_413(user: Any, settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    body = _body(0)
    body = body[:-2] + b" " * (1001 - len(body)) + body[-2:]
    assert len(body) == 1001
    assert _post_chunked(user, body).status_code == 413
    assert _post_chunked(user, body[:-2].rstrip() + body[-2:]).status_code == 201


def test_request_size_chunked_body_within_limit_is_parsed(user: Any) -> None:
    response = _post_chunked(user, _body(1000))
    assert response.status_code == 201, response.content
    run = Run.objects.get(pk=json.loads(response.content)["id"])
    assert run.payload == {"p": "x" * 1000}


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["abc\n", "abc\r\nSet-Cookie: x=1", "a" * 129, "a b"])
def test_request_id_unsafe_client_value_is_replaced_not_echoed(client: Any, given: str) -> None:
    response = client.get("/v1/runs", HTTP_X_REQUEST_ID=given)
    assert response.status_code == 401
    assert response["X-Request-ID"] != given and len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/runs/run/?status__exact=%00", "/v1/runs?status=%00", "/runs/?x=a%00b"])
def test_query_string_with_nul_is_a_400_in_the_error_shape(admin_client: Any, url: str) -> None:
    response = admin_client.get(url)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_text" and error["details"] == {"query": ["contains a NUL character"]}
    assert error["requestId"] == response["X-Request-ID"]
    assert admin_client.get(url.replace("%00", "%01")).status_code < 500
