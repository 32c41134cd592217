"""DRF authentication: `Authorization: Bearer <token>`, the session with CSRF, a development origin user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from backend.accounts.services import dev_origin_user, token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise exceptions.AuthenticationFailed("malformed Authorization header; use 'Bearer <token>'")
        token = token_authenticate(raw=raw.strip())
        if token is None:
            raise exceptions.AuthenticationFailed("invalid or revoked token")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class CsrfSessionAuthentication(authentication.SessionAuthentication):
    """Session login for the browser; DRF's own class already enforces CSRF on unsafe methods."""


class DevOriginUserAuthentication(authentication.BaseAuthentication):
    """Development only (refused by the settings outside debug mode): a request with no token and no
    session, sent by a browser from an allowed CORS origin, acts as the one named local user."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if request.META.get("HTTP_AUTHORIZATION"):
            return None
        origin = request.META.get("HTTP_ORIGIN", "").rstrip("/")
        if not origin or origin not in settings.CORS_ALLOWED_ORIGINS:
            return None
        return dev_origin_user(username=settings.DEV_ORIGIN_USER), None
