"""Vault API: the passphrase's state, set / change / remove it, unlock and lock, reset when forgotten."""

from __future__ import annotations

from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from backend.accounts.holders import request_owner, vault_holder
from backend.api import shapes
from backend.api.schema import errors, ok
from backend.api.throttling import VaultRateThrottle
from backend.api.validation import expect_body
from backend.core.errors import ValidationFailed
from backend.core.timefmt import iso_ms
from backend.credentials import passphrase_services as services
from backend.credentials.selectors import vault_status

RESET_CONFIRMATION = "delete my protected credentials"
TAGS = ["vault"]
STATUS_EXAMPLE = {
    "passphraseSet": True,
    "unlocked": True,
    "unlockedUntil": "2026-12-05T21:11:07.123Z",
    "protectedCredentials": 2,
}
_STATUS = ok(shapes.VaultStatusSerializer, STATUS_EXAMPLE)


def _status(request: Request) -> Response:
    state = vault_status(user=request_owner(request), holder=vault_holder(request))
    return Response({**state, "unlockedUntil": iso_ms(state["unlockedUntil"])})


class _VaultApi(APIView):
    def get_throttles(self) -> list[BaseThrottle]:
        # Every write checks a passphrase (scrypt): those are counted per user on top of the API budget.
        extra = [VaultRateThrottle()] if self.request.method != "GET" else []
        return [*super().get_throttles(), *extra]


@method_decorator(never_cache, name="dispatch")
class VaultApi(_VaultApi):
    @extend_schema(summary="The vault passphrase's state", tags=TAGS, responses={200: _STATUS, **errors()})
    def get(self, request: Request) -> Response:
        return _status(request)


@method_decorator(never_cache, name="dispatch")
class VaultPassphraseApi(_VaultApi):
    @extend_schema(
        summary="Set or change the vault passphrase",
        tags=TAGS,
        request=shapes.VaultPassphraseSerializer,
        examples=[OpenApiExample("set", value={"passphrase": "correct horse battery staple"}, request_only=True)],
        responses={200: _STATUS, **errors(400, 409, 413)},
    )
    def put(self, request: Request) -> Response:
        """Set the passphrase, or change it (then `currentPassphrase` is required)."""
        body = expect_body(request.data, shapes.VaultPassphraseSerializer)
        services.passphrase_put(
            user=request_owner(request),
            new=body["passphrase"],
            current=body.get("currentPassphrase"),
            holder=vault_holder(request),
        )
        return _status(request)

    @extend_schema(
        summary="Remove the vault passphrase",
        description="Protected credentials go back under the server's keys.",
        tags=TAGS,
        request=shapes.VaultCurrentSerializer,
        responses={200: _STATUS, **errors(400, 409, 413)},
    )
    def delete(self, request: Request) -> Response:
        body = expect_body(request.data, shapes.VaultCurrentSerializer)
        services.passphrase_remove(user=request_owner(request), current=body["currentPassphrase"])
        return _status(request)


@method_decorator(never_cache, name="dispatch")
class VaultUnlockApi(_VaultApi):
    @extend_schema(
        summary="Unlock the vault for this session or token",
        tags=TAGS,
        request=shapes.VaultUnlockSerializer,
        responses={200: _STATUS, **errors(400, 409, 413)},
    )
    def post(self, request: Request) -> Response:
        body = expect_body(request.data, shapes.VaultUnlockSerializer)
        services.vault_unlock(user=request_owner(request), value=body["passphrase"], holder=vault_holder(request))
        return _status(request)


@method_decorator(never_cache, name="dispatch")
class VaultLockApi(APIView):
    @extend_schema(
        summary="Lock the vault (end every unlock)", tags=TAGS, request=None, responses={200: _STATUS, **errors()}
    )
    def post(self, request: Request) -> Response:
        services.vault_lock(user=request_owner(request))
        return _status(request)


@method_decorator(never_cache, name="dispatch")
class VaultResetApi(APIView):
    @extend_schema(
        summary="Forgotten passphrase: delete the protected credentials and the passphrase",
        tags=TAGS,
        request=shapes.VaultResetSerializer,
        examples=[OpenApiExample("confirm", value={"confirm": RESET_CONFIRMATION}, request_only=True)],
        responses={
            200: ok(shapes.VaultResetDoneSerializer, {"deletedCredentials": ["notionToken"]}),
            **errors(400, 409, 413),
        },
    )
    def post(self, request: Request) -> Response:
        body: dict[str, Any] = expect_body(request.data, shapes.VaultResetSerializer)
        if body["confirm"] != RESET_CONFIRMATION:
            raise ValidationFailed(
                f"confirm: must be {RESET_CONFIRMATION!r}; the protected credentials are deleted",
                details={"confirm": [f"must be {RESET_CONFIRMATION!r}"]},
            )
        deleted = services.vault_reset(user=request_owner(request))
        return Response({"deletedCredentials": deleted}, status=status.HTTP_200_OK)
