"""Vault API: the passphrase's state, set / change / remove it, unlock and lock, reset when forgotten."""

from __future__ import annotations

from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from backend.accounts.holders import request_owner, vault_holder
from backend.api.throttling import VaultRateThrottle
from backend.api.validation import expect_fields
from backend.core.errors import ValidationFailed
from backend.core.timefmt import iso_ms
from backend.credentials import passphrase_services as services
from backend.credentials.selectors import vault_status

RESET_CONFIRMATION = "delete my protected credentials"


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
    def get(self, request: Request) -> Response:
        return _status(request)


@method_decorator(never_cache, name="dispatch")
class VaultPassphraseApi(_VaultApi):
    def put(self, request: Request) -> Response:
        """Set the passphrase, or change it (then `currentPassphrase` is required)."""
        body = expect_fields(request.data, allowed={"passphrase", "currentPassphrase"}, required={"passphrase"})
        services.passphrase_put(
            user=request_owner(request),
            new=body["passphrase"],
            current=body.get("currentPassphrase"),
            holder=vault_holder(request),
        )
        return _status(request)

    def delete(self, request: Request) -> Response:
        body = expect_fields(request.data, allowed={"currentPassphrase"}, required={"currentPassphrase"})
        services.passphrase_remove(user=request_owner(request), current=body["currentPassphrase"])
        return _status(request)


@method_decorator(never_cache, name="dispatch")
class VaultUnlockApi(_VaultApi):
    def post(self, request: Request) -> Response:
        body = expect_fields(request.data, allowed={"passphrase"}, required={"passphrase"})
        services.vault_unlock(user=request_owner(request), value=body["passphrase"], holder=vault_holder(request))
        return _status(request)


@method_decorator(never_cache, name="dispatch")
class VaultLockApi(APIView):
    def post(self, request: Request) -> Response:
        services.vault_lock(user=request_owner(request))
        return _status(request)


@method_decorator(never_cache, name="dispatch")
class VaultResetApi(APIView):
    def post(self, request: Request) -> Response:
        body: dict[str, Any] = expect_fields(request.data, allowed={"confirm"}, required={"confirm"})
        if body["confirm"] != RESET_CONFIRMATION:
            raise ValidationFailed(
                f"confirm: must be {RESET_CONFIRMATION!r}; the protected credentials are deleted",
                details={"confirm": [f"must be {RESET_CONFIRMATION!r}"]},
            )
        deleted = services.vault_reset(user=request_owner(request))
        return Response({"deletedCredentials": deleted}, status=status.HTTP_200_OK)
