"""Request-id and request-size middleware applied to every HTTP request."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from backend.core.body_limit import too_large

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_for(request: HttpRequest) -> str:
    """The client's X-Request-ID when it is sane, else a new one."""
    given = request.headers.get("X-Request-ID", "")
    return given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex  # fullmatch: `$` lets "x\n" through


class RequestIdMiddleware:
    """Tags each request with an id (echoed as X-Request-ID); refuses query strings holding a NUL
    (PostgreSQL cannot compare text with one) and, where the ASGI guard in body_limit.py does not
    stand in front (the WSGI entry point, the test client), bodies over the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self._nul_in_query(request) or self._too_large(request) or self.get_response(request)
        response["X-Request-ID"] = request_id
        return response

    @staticmethod
    def _nul_in_query(request: HttpRequest) -> HttpResponse | None:
        query = request.META.get("QUERY_STRING", "")
        if "%00" not in query and "\x00" not in query:
            return None
        message = "the query string contains a NUL character (%00), which no parameter may hold"
        return _error(request, 400, "invalid_text", message, {"query": ["contains a NUL character"]})

    def _too_large(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.MAX_REQUEST_BYTES
        declared = request.META.get("CONTENT_LENGTH")
        try:
            length = int(declared) if declared else None
        except ValueError:
            length = None
        if length is None:
            # No usable Content-Length (Transfer-Encoding: chunked): uvicorn still hands over the whole
            # body, but Django and DRF would ignore it. Measure what is actually there, reading at most
            # one byte past the limit, and pass it on with its real length.
            stream = request._stream
            body = stream.read(limit + 1)
            if len(body) > limit:
                return self._refuse(request, f"request body is over the limit of {limit} bytes")
            request._stream = io.BytesIO(body)
            if body:
                request.META["CONTENT_LENGTH"] = str(len(body))
            return None
        if length <= limit:
            return None
        return self._refuse(request, f"request body is {length} bytes; the limit is {limit}")

    @staticmethod
    def _refuse(request: HttpRequest, message: str) -> HttpResponse:
        limit, request_id = settings.MAX_REQUEST_BYTES, request.request_id  # type: ignore[attr-defined]
        return JsonResponse(too_large(message=message, limit=limit, request_id=request_id), status=413)


def _error(request: HttpRequest, status: int, code: str, message: str, details: dict[str, Any]) -> HttpResponse:
    body = {"code": code, "message": message, "details": details, "requestId": request.request_id}  # type: ignore[attr-defined]
    return JsonResponse({"error": body}, status=status)
