"""Tokens API: list your tokens (never their secrets) and create one (its secret shown once)."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.accounts.models import ApiToken
from backend.accounts.services import token_create
from backend.api.validation import expect_fields
from backend.core.timefmt import iso_ms


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
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=request_owner(request)).order_by("-created_at")
        return Response({"results": [_token_doc(t) for t in tokens]})

    def post(self, request: Request) -> Response:
        # Not `request.data or {}`: an empty list, null, 0 or "" is a wrong body, not a missing one.
        body = expect_fields(request.data, allowed={"name"})
        token, raw = token_create(user=request_owner(request), name=body.get("name", "api"))
        return Response({**_token_doc(token), "token": raw}, status=status.HTTP_201_CREATED)
