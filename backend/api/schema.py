"""OpenAPI pieces every view shares: the error envelope, its responses by status, list pages, security schemes."""

from __future__ import annotations

from functools import cache
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

# One example per status: what the exception handler (backend/api/exceptions.py) renders.
_ERRORS: dict[int, tuple[str, str, str, Any]] = {
    400: ("Bad request", "validation_error", "unknown field(s): nmae", {"nmae": ["unknown field"]}),
    401: ("Not signed in", "not_authenticated", "Authentication credentials were not provided.", {}),
    404: ("Not found", "not_found", "workflow not found", {"workflowId": "5f0c…"}),
    409: ("Conflict", "name_taken", "a workflow named 'Ping team' already exists", {"name": "Ping team"}),
    413: ("Body too large", "payload_too_large", "the request body is over 1048576 bytes", {"limit": 1048576}),
    422: ("Unprocessable", "idempotency_key_reused", "Idempotency-Key was used with a different body", {}),
    423: ("Vault locked", "vault_locked", 'vault locked: credential "notionToken" needs its owner\'s passphrase', {}),
    429: ("Rate limited", "throttled", "Request was throttled. Expected available in 12 seconds.", {}),
}


class ErrorBodySerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="stable, machine-readable")
    message = serializers.CharField(help_text="for humans")
    details = serializers.JSONField(help_text="what was wrong, by field where it applies")
    requestId = serializers.CharField(  # noqa: N815 - the JSON key
        required=False, help_text="the X-Request-ID of the request"
    )


class ErrorSerializer(serializers.Serializer[Any]):
    """Every 4xx and 5xx answer of the API."""

    error = ErrorBodySerializer()


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses (401 and 429 always: every endpoint needs a sign-in and is rate limited)."""
    found: dict[int, OpenApiResponse] = {}
    for status in sorted({401, 429, *statuses}):
        title, code, message, details = _ERRORS[status]
        example = {"error": {"code": code, "message": message, "details": details, "requestId": "b7e2…"}}
        found[status] = OpenApiResponse(
            ErrorSerializer, description=title, examples=[OpenApiExample(title, value=example, status_codes=[status])]
        )
    return found


def ok(serializer: Any, example: Any, *, description: str = "", status: int = 200) -> OpenApiResponse:
    return OpenApiResponse(
        serializer,
        description=description,
        examples=[OpenApiExample("example", value=example, status_codes=[status], response_only=True)],
    )


@cache
def page_of(serializer_class: type[serializers.Serializer[Any]]) -> Any:
    """`{count, next, previous, results: [item]}` with absolute next/previous links."""
    return inline_serializer(
        name=f"Paginated{serializer_class.__name__.removesuffix('Serializer')}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def only_v1(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list[tuple[str, str, str, Any]]:
    """Preprocessing hook: the schema documents the /v1 API only."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/v1/")]


def page_example(item: Any) -> dict[str, Any]:
    return {"count": 1, "next": None, "previous": None, "results": [item]}


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "backend.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "description": "an API token: `Authorization: Bearer aos_…`"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "backend.api.authentication.CsrfSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "the browser's login session; unsafe methods also need the X-CSRFToken header",
        }


class DevOriginScheme(OpenApiAuthenticationExtension):
    """Development only: no credentials at all from an allowed origin; nothing to declare."""

    target_class = "backend.api.authentication.DevOriginUserAuthentication"
    name = "devOrigin"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "Origin", "description": "development only"}
