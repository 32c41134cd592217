"""POST /hooks/<token>: the webhook endpoint (no session, CSRF or token auth: the URL's token is the key).

Async, and served by Django's own ASGI handler (backend/triggers/asgi.py), so a hook that waits for
its run's result awaits on the event loop instead of holding a thread.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from backend.core.errors import ApplicationError
from backend.runs.states import RUN_TERMINAL, RunStatus
from backend.triggers.errors import MethodNotAllowed, RateLimited
from backend.triggers.models import RespondMode
from backend.triggers.selectors import run_outcome
from backend.triggers.webhook_receive import Accepted, Delivery, webhook_receive
from backend.triggers.webhook_request import FORM_TYPES, media_type

POLL_FIRST_S = 0.05
POLL_MAX_S = 0.5


def _json(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
    response = JsonResponse(body, status=status)
    # Django logs every 4xx with the request path, and the path holds the hook's token.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    envelope = {"code": exc.code, "message": exc.message, "details": exc.details}
    request_id = getattr(request, "request_id", "")
    if request_id:
        envelope["requestId"] = request_id
    response = _json(request, {"error": envelope}, exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after_s)
    return response


def _delivery(request: HttpRequest) -> Delivery:
    content_type = request.META.get("CONTENT_TYPE", "")
    body = request.body
    form = None
    if media_type(content_type) in FORM_TYPES:
        try:
            form = {name: request.POST.getlist(name) for name in request.POST}
        except (MultiPartParserError, SuspiciousOperation, ValueError) as exc:
            raise ApplicationError(f"malformed form body: {type(exc).__name__}", code="parse_error") from None
    return Delivery(
        method=request.method or "POST",
        headers={name.lower(): value for name, value in request.headers.items()},
        query={name: request.GET.getlist(name) for name in request.GET},
        content_type=content_type,
        body=body,
        form=form,
        request_id=getattr(request, "request_id", ""),
    )


@csrf_exempt
async def hook(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        response = _error(request, MethodNotAllowed("webhooks accept POST only"))
        response["Allow"] = "POST"
        return response
    try:
        accepted = await sync_to_async(_receive)(request, token)
    except ApplicationError as exc:
        return _error(request, exc)
    if not accepted.created:
        return _json(request, {"runId": accepted.run_id, "status": accepted.status, "duplicate": True}, 200)
    if accepted.respond != RespondMode.RESULT:
        return _json(request, {"runId": accepted.run_id}, 202)
    outcome = await wait_for_outcome(accepted)
    if outcome["status"] not in RUN_TERMINAL:
        return _json(request, outcome, 202)  # still going at the hook's timeout
    status = 200 if outcome["status"] == RunStatus.SUCCEEDED else accepted.failure_status
    return _json(request, outcome, status)


def _receive(request: HttpRequest, token: str) -> Accepted:
    return webhook_receive(token=token, delivery=_delivery(request))


async def wait_for_outcome(accepted: Accepted) -> dict[str, Any]:
    """The run's outcome once it ends, else its status at the hook's timeout; read from the database."""
    deadline = time.monotonic() + accepted.timeout_s
    pause = POLL_FIRST_S
    read = sync_to_async(run_outcome)
    while True:
        outcome = await read(run_id=accepted.run_id, node_id=accepted.respond_node)
        left = deadline - time.monotonic()
        if outcome["status"] in RUN_TERMINAL or left <= 0:
            return outcome
        await asyncio.sleep(min(pause, left))
        pause = min(pause * 1.5, POLL_MAX_S)
