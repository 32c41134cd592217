"""One exception handler: every API error is {"error": {"code", "message", "details", "requestId"}}."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from backend.core.errors import ApplicationError

logger = logging.getLogger(__name__)


def error_response(*, status_code: int, code: str, message: str, details: Any = None, request: Any = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message, "details": details if details is not None else {}}
    request_id = getattr(request, "request_id", None) or getattr(getattr(request, "_request", None), "request_id", None)
    if request_id:
        body["requestId"] = request_id
    return Response({"error": body}, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, ApplicationError):
        return error_response(
            status_code=exc.status, code=exc.code, message=exc.message, details=exc.details, request=request
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        # A bug, not bad input: the client gets the stable shape and the request id to report, never
        # the exception text (it could carry data); the server log keeps the traceback.
        logger.error("unhandled %s in %s", type(exc).__name__, getattr(request, "path", "?"), exc_info=exc)
        return error_response(
            status_code=500, code="internal_error", message="internal error; report the request id", request=request
        )
    details: Any = {}
    message = str(exc.detail) if isinstance(exc.detail, str) else "invalid request"
    if isinstance(exc.detail, (dict, list)):
        details = exc.detail
    response = error_response(
        status_code=exc.status_code, code=str(exc.default_code), message=message, details=details, request=request
    )
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    return response
