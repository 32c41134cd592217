"""Runs API: start (idempotent), list, retrieve, events after a sequence number, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner, vault_holder
from backend.accounts.models import ApiToken
from backend.api.validation import expect_fields, int_param
from backend.core.errors import ValidationFailed
from backend.core.limits import IDEMPOTENCY_KEY_MAX, text_problem
from backend.runs import documents, selectors
from backend.runs.services import run_cancel, run_start
from backend.runs.states import CLIENT_TRIGGERS, RunStatus, RunTrigger


class RunPagination(PageNumberPagination):
    page_size = settings.AUTOMATEOS["RUN_PAGE_SIZE"]
    page_size_query_param = "pageSize"
    max_page_size = 200


def _start_args(data: Any) -> dict[str, Any]:
    body = expect_fields(data, allowed={"graph", "workflowId", "payload", "trigger"})
    if ("graph" in body) == ("workflowId" in body):
        raise ValidationFailed(
            "give exactly one of `graph` or `workflowId`", details={"graph": ["exactly one of graph/workflowId"]}
        )
    payload = body.get("payload", {})
    if not isinstance(payload, dict):
        raise ValidationFailed("`payload` must be an object", details={"payload": ["must be an object"]})
    if "graph" in body and not isinstance(body["graph"], dict):
        raise ValidationFailed("`graph` must be an object", details={"graph": ["must be an object"]})
    return {
        "graph": body.get("graph"),
        "workflow_id": _uuid(body["workflowId"]) if "workflowId" in body else None,
        "payload": payload,
        "trigger": _trigger(body.get("trigger")),
    }


def _trigger(value: Any) -> str | None:
    """None lets the view choose from the caller; a client may name only the triggers it can be."""
    if value in (None, ""):
        return None
    if value not in CLIENT_TRIGGERS:
        allowed = [str(t) for t in CLIENT_TRIGGERS]
        raise ValidationFailed(f"`trigger` must be one of {', '.join(allowed)}", details={"trigger": allowed})
    return str(value)


def default_trigger(request: Request) -> str:
    """A run started from a signed-in browser session is manual; one started with a token is an API run."""
    return RunTrigger.API if isinstance(getattr(request, "auth", None), ApiToken) else RunTrigger.MANUAL


def _uuid(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed("`workflowId` is not a valid id", details={"workflowId": ["invalid id"]}) from exc


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key header (None without one); 400 for one that cannot be stored."""
    key = request.headers.get("Idempotency-Key") or None
    problem = None if key is None else text_problem(key, max_chars=IDEMPOTENCY_KEY_MAX)
    if problem:
        raise ValidationFailed(f"Idempotency-Key {problem}", details={"Idempotency-Key": [problem]})
    return key


def _trigger_filter(value: str | None) -> str | None:
    if value and value not in RunTrigger.values:
        raise ValidationFailed(
            f"unknown trigger {value!r}; allowed: {', '.join(RunTrigger.values)}",
            details={"trigger": RunTrigger.values},
        )
    return value or None


class RunListApi(APIView):
    def post(self, request: Request) -> Response:
        key = idempotency_key(request)
        args = _start_args(request.data)
        args["trigger"] = args["trigger"] or default_trigger(request)
        run, created = run_start(
            owner=request_owner(request),
            idempotency_key=key,
            request_id=getattr(request._request, "request_id", ""),
            vault_holder=vault_holder(request),
            **args,
        )
        body = {"runId": str(run.pk), "id": str(run.pk), "status": run.status}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status")
        if status_filter and status_filter not in RunStatus.values:
            raise ValidationFailed(f"unknown status {status_filter!r}", details={"status": RunStatus.values})
        workflow = request.query_params.get("workflow") or request.query_params.get("workflowId")
        runs = selectors.run_list(
            user=request_owner(request),
            status=status_filter,
            workflow_id=_uuid(workflow) if workflow else None,
            trigger=_trigger_filter(request.query_params.get("trigger")),
        )
        paginator = RunPagination()
        page = paginator.paginate_queryset(runs, request, view=self) or []
        return paginator.get_paginated_response([documents.run_summary(r) for r in page])


class RunDetailApi(APIView):
    def get(self, request: Request, run_id: uuid.UUID) -> Response:
        run = selectors.run_get(user=request_owner(request), run_id=run_id)
        doc = documents.run_document(run, selectors.run_steps(run=run), selectors.run_events(run=run))
        return Response(doc)


class RunEventListApi(APIView):
    def get(self, request: Request, run_id: uuid.UUID) -> Response:
        run = selectors.run_get(user=request_owner(request), run_id=run_id)
        after = int_param(request.query_params, "after", default=0, minimum=0)
        events = selectors.run_events(run=run, after=after, limit=1000)
        return Response(
            {
                "runId": str(run.pk),
                "status": run.status,
                "events": [documents.event_document(e) for e in events],
                "lastSeq": events[-1].seq if events else after,
            }
        )


class RunCancelApi(APIView):
    def post(self, request: Request, run_id: uuid.UUID) -> Response:
        run = selectors.run_get(user=request_owner(request), run_id=run_id)
        changed = run_cancel(run=run)
        run.refresh_from_db(fields=["status"])
        return Response({"runId": str(run.pk), "id": str(run.pk), "status": run.status, "changed": changed})
