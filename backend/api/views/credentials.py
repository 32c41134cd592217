"""Credential API: create, list, retrieve, rename/replace, delete. No response ever contains a value."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.api import shapes
from backend.api.listing import list_parameters, ordering_param, paginated
from backend.api.schema import errors, ok, page_example, page_of
from backend.core.errors import ValidationFailed
from backend.core.timefmt import iso_ms
from backend.credentials.models import Credential
from backend.credentials.selectors import CREDENTIAL_ORDERINGS, credential_get, credential_list
from backend.credentials.services import credential_create, credential_delete, credential_update

# The fields the schema documents are the ones accepted (values are checked by the services).
_CREATE_FIELDS = frozenset(shapes.CredentialCreateSerializer().fields)
_PATCH_FIELDS = frozenset(shapes.CredentialPatchSerializer().fields)
TAGS = ["credentials"]
EXAMPLE = {
    "id": "9d1e6f2a-3b4c-4d5e-8f90-a1b2c3d4e5f6",
    "name": "notionToken",
    "kind": "bearer_token",
    "options": {},
    "maskedValue": "secr…7f3a",
    "protected": False,
    "createdAt": "2026-12-05T20:41:07.123Z",
    "updatedAt": "2026-12-05T20:41:07.123Z",
    "lastUsedAt": None,
}


def credential_doc(credential: Credential) -> dict[str, Any]:
    return {
        "id": str(credential.pk),
        "name": credential.name,
        "kind": credential.kind,
        "options": credential.options or {},
        "maskedValue": credential.masked_value,
        "protected": credential.protected,
        "createdAt": iso_ms(credential.created_at),
        "updatedAt": iso_ms(credential.updated_at),
        "lastUsedAt": iso_ms(credential.last_used_at),
    }


def _body(request: Request, allowed: frozenset[str]) -> dict[str, Any]:
    # Hand-checked rather than a serializer: DRF field errors can quote input, and the value must never echo.
    data = request.data
    if not isinstance(data, dict):
        raise ValidationFailed("the request body must be a JSON object", details={"body": ["must be an object"]})
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(
            f"unknown field(s): {', '.join(unknown)}", details={field: ["unknown field"] for field in unknown}
        )
    # The services read None as "not given": an explicit null must not pass for a missing field.
    nulls = sorted(field for field in ("name", "kind", "value") if field in data and data[field] is None)
    if nulls:
        raise ValidationFailed(
            f"{', '.join(nulls)}: must be a string, not null", details={field: ["must be a string"] for field in nulls}
        )
    return data


@method_decorator(never_cache, name="dispatch")  # secrets' metadata: never kept by a cache
class CredentialListApi(APIView):
    @extend_schema(
        summary="List your credentials",
        operation_id="credentials_list",
        description="Names, kinds and masked previews: a value never comes back.",
        tags=TAGS,
        parameters=list_parameters(CREDENTIAL_ORDERINGS),
        responses={200: ok(page_of(shapes.CredentialSerializer), page_example(EXAMPLE)), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        ordering = ordering_param(request, CREDENTIAL_ORDERINGS)
        return paginated(request, self, credential_list(user=request_owner(request), ordering=ordering), credential_doc)

    @extend_schema(
        summary="Store a credential",
        description="The value is encrypted at once; answers never contain it.",
        tags=TAGS,
        request=shapes.CredentialCreateSerializer,
        examples=[
            OpenApiExample(
                "bearer", value={"name": "notionToken", "kind": "bearer_token", "value": "secret_…"}, request_only=True
            )
        ],
        responses={201: ok(shapes.CredentialSerializer, EXAMPLE, status=201), **errors(400, 409, 413, 423)},
    )
    def post(self, request: Request) -> Response:
        data = _body(request, _CREATE_FIELDS)
        missing = [field for field in ("name", "kind", "value") if field not in data]
        if missing:
            raise ValidationFailed(
                f"missing field(s): {', '.join(missing)}", details={field: ["required"] for field in missing}
            )
        credential = credential_create(
            owner=request_owner(request),
            name=data["name"],
            kind=data["kind"],
            value=data["value"],
            options=data.get("options"),
        )
        return Response(credential_doc(credential), status=status.HTTP_201_CREATED)


@method_decorator(never_cache, name="dispatch")  # secrets' metadata: never kept by a cache
class CredentialDetailApi(APIView):
    @extend_schema(
        summary="Get a credential (never its value)",
        tags=TAGS,
        responses={200: ok(shapes.CredentialSerializer, EXAMPLE), **errors(404)},
    )
    def get(self, request: Request, credential_id: uuid.UUID) -> Response:
        return Response(credential_doc(credential_get(user=request_owner(request), credential_id=credential_id)))

    @extend_schema(
        summary="Rename a credential or replace its value",
        description="`kind` cannot change: create a new credential.",
        tags=TAGS,
        request=shapes.CredentialPatchSerializer,
        examples=[OpenApiExample("rename", value={"name": "notionToken2"}, request_only=True)],
        responses={200: ok(shapes.CredentialSerializer, EXAMPLE), **errors(400, 404, 409, 413, 423)},
    )
    def patch(self, request: Request, credential_id: uuid.UUID) -> Response:
        if isinstance(request.data, dict) and "kind" in request.data:
            raise ValidationFailed("kind cannot be changed; create a new credential", details={"kind": ["read-only"]})
        data = _body(request, _PATCH_FIELDS)
        if not data:
            raise ValidationFailed("nothing to change: send name, value and/or options")
        credential = credential_get(user=request_owner(request), credential_id=credential_id)
        credential = credential_update(
            credential=credential, name=data.get("name"), value=data.get("value"), options=data.get("options")
        )
        return Response(credential_doc(credential))

    @extend_schema(summary="Delete a credential", tags=TAGS, responses={204: None, **errors(404)})
    def delete(self, request: Request, credential_id: uuid.UUID) -> Response:
        credential_delete(credential=credential_get(user=request_owner(request), credential_id=credential_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
