"""Every /v1 path no route matches (an unknown endpoint, an id that is not a UUID) is a JSON 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # any method: a POST to an unknown path is a 404 too, not a CSRF 403
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    error: dict[str, Any] = {"code": "not_found", "message": "Not found.", "details": {}}
    request_id = getattr(request, "request_id", None)
    if request_id:
        error["requestId"] = request_id
    return JsonResponse({"error": error}, status=404)
