"""Tokens API: list your tokens (never their secrets), create one (its secret shown once), revoke one."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.accounts.models import ApiToken
from backend.accounts.selectors import TOKEN_ORDERINGS, token_get, token_list
from backend.accounts.services import token_create, token_revoke
from backend.api import shapes
from backend.api.listing import list_parameters, ordering_param, paginated
from backend.api.schema import errors, ok, page_example, page_of
from backend.api.validation import expect_body
from backend.core.timefmt import iso_ms

TAGS = ["tokens"]
EXAMPLE = {
    "id": 7,
    "name": "ci",
    "prefix": "aos_3f9a1c0b52de",
    "createdAt": "2026-12-05T20:41:07.123Z",
    "lastUsedAt": None,
    "revoked": False,
}


def _token_doc(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": f"aos_{token.lookup}",
        "createdAt": iso_ms(token.created_at),
        "lastUsedAt": iso_ms(token.last_used_at),
        "revoked": token.revoked_at is not None,
    }


@method_decorator(never_cache, name="dispatch")  # secrets' metadata: never kept by a cache
class TokenListApi(APIView):
    @extend_schema(
        summary="List your API tokens",
        operation_id="tokens_list",
        description="Revoked tokens stay listed with `revoked: true`; the secret is never returned.",
        tags=TAGS,
        parameters=list_parameters(TOKEN_ORDERINGS),
        responses={200: ok(page_of(shapes.TokenSerializer), page_example(EXAMPLE)), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        ordering = ordering_param(request, TOKEN_ORDERINGS)
        return paginated(request, self, token_list(user=request_owner(request), ordering=ordering), _token_doc)

    @extend_schema(
        summary="Create an API token",
        description="The answer's `token` is the secret, shown this once: only its SHA-256 digest is stored.",
        tags=TAGS,
        request=shapes.TokenCreateSerializer,
        examples=[OpenApiExample("create", value={"name": "ci"}, request_only=True)],
        responses={
            201: ok(shapes.TokenCreatedSerializer, {**EXAMPLE, "token": "aos_3f9a1c0b52de_…"}, status=201),
            **errors(400, 413),
        },
    )
    def post(self, request: Request) -> Response:
        # Not `request.data or {}`: an empty list, null, 0 or "" is a wrong body, not a missing one.
        body = expect_body(request.data, shapes.TokenCreateSerializer)
        token, raw = token_create(user=request_owner(request), name=body.get("name", "api"))
        return Response({**_token_doc(token), "token": raw}, status=status.HTTP_201_CREATED)


@method_decorator(never_cache, name="dispatch")
class TokenDetailApi(APIView):
    @extend_schema(
        summary="Revoke an API token",
        description="Refused from the next request on, in every web process; revoking twice changes nothing.",
        tags=TAGS,
        responses={204: None, **errors(404)},
    )
    def delete(self, request: Request, token_id: int) -> Response:
        token_revoke(token=token_get(user=request_owner(request), token_id=token_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
