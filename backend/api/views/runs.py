"""Runs API: start (idempotent), list, retrieve, events after a sequence number, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner, vault_holder
from backend.accounts.models import ApiToken
from backend.api import shapes
from backend.api.listing import list_parameters, ordering_param, paginated
from backend.api.schema import errors, ok, page_example, page_of
from backend.api.validation import expect_body, int_param
from backend.core.errors import ValidationFailed
from backend.core.limits import IDEMPOTENCY_KEY_MAX, text_problem
from backend.runs import documents, selectors
from backend.runs.services import run_cancel, run_start
from backend.runs.states import CLIENT_TRIGGERS, RunStatus, RunTrigger

TAGS = ["runs"]
_ID = "0b9e5c1a-7d44-4f1e-8c3a-2f6d9e8b7a10"
STARTED_EXAMPLE = {"runId": _ID, "id": _ID, "status": "queued"}
SUMMARY_EXAMPLE = {
    "id": _ID,
    "runId": _ID,
    "status": "succeeded",
    "workflowId": "5f0c2a8e-1b7d-4c1e-9a57-0d6f1b2c3d4e",
    "workflowName": "Ping team",
    "trigger": "api",
    "requestId": "b7e2…",
    "error": None,
    "createdAt": "2026-12-05T20:41:07.123Z",
    "updatedAt": "2026-12-05T20:41:07.456Z",
    "startedAt": "2026-12-05T20:41:07.130Z",
    "finishedAt": "2026-12-05T20:41:07.456Z",
    "durationMs": 326,
}
EVENT_EXAMPLE = {
    "seq": 1,
    "ts": "2026-12-05T20:41:07.130Z",
    "level": "info",
    "type": "run_started",
    "msg": "run started",
}
_LIST_PARAMETERS = [
    *list_parameters(selectors.RUN_ORDERINGS),
    OpenApiParameter("status", OpenApiTypes.STR, enum=RunStatus.values, description="only runs in this state"),
    OpenApiParameter("workflow", OpenApiTypes.UUID, description="only runs of this workflow (alias workflowId)"),
    OpenApiParameter("workflowId", OpenApiTypes.UUID, description="alias of workflow"),
    OpenApiParameter("trigger", OpenApiTypes.STR, enum=RunTrigger.values, description="only runs started this way"),
]


def _start_args(data: Any) -> dict[str, Any]:
    body = expect_body(data, shapes.RunStartSerializer)
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
    @extend_schema(
        summary="Start a run",
        description="From a graph or a saved workflow, with a payload. Send `Idempotency-Key` to make a retried "
        "POST return the same run (200); the same key with another body is a 422.",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, description="up to 255 chars"
            )
        ],
        request=shapes.RunStartSerializer,
        examples=[
            OpenApiExample(
                "saved workflow",
                value={"workflowId": "5f0c2a8e-1b7d-4c1e-9a57-0d6f1b2c3d4e", "payload": {"title": "Hello"}},
                request_only=True,
            )
        ],
        responses={
            201: ok(shapes.RunStartedSerializer, STARTED_EXAMPLE, status=201, description="started"),
            200: ok(shapes.RunStartedSerializer, STARTED_EXAMPLE, description="an Idempotency-Key replay"),
            **errors(400, 404, 413, 422, 423),
        },
    )
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

    @extend_schema(
        summary="List your runs",
        operation_id="runs_list",
        tags=TAGS,
        parameters=_LIST_PARAMETERS,
        responses={200: ok(page_of(shapes.RunSummarySerializer), page_example(SUMMARY_EXAMPLE)), **errors(400, 404)},
    )
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
            ordering=ordering_param(request, selectors.RUN_ORDERINGS),
        )
        return paginated(request, self, runs, documents.run_summary)


class RunDetailApi(APIView):
    @extend_schema(
        summary="Get a run document",
        description="The run, its steps (with their redacted outputs) and its log.",
        tags=TAGS,
        responses={
            200: ok(
                shapes.RunSerializer,
                {**SUMMARY_EXAMPLE, "payload": {}, "graph": {}, "steps": [], "logs": [EVENT_EXAMPLE], "lastSeq": 1},
            ),
            **errors(404),
        },
    )
    def get(self, request: Request, run_id: uuid.UUID) -> Response:
        run = selectors.run_get(user=request_owner(request), run_id=run_id)
        doc = documents.run_document(run, selectors.run_steps(run=run), selectors.run_events(run=run))
        return Response(doc)


class RunEventListApi(APIView):
    @extend_schema(
        summary="A run's events after a sequence number",
        description="Up to 1000 events with `seq` > `after`; poll again with the answer's `lastSeq`.",
        tags=TAGS,
        parameters=[OpenApiParameter("after", OpenApiTypes.INT, description="last seq seen (default 0)")],
        responses={
            200: ok(
                shapes.RunEventsSerializer, {"runId": _ID, "status": "running", "events": [EVENT_EXAMPLE], "lastSeq": 1}
            ),
            **errors(400, 404),
        },
    )
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
    @extend_schema(
        summary="Cancel a run",
        description="Queued and running steps stop; `changed` is false when the run had already finished.",
        tags=TAGS,
        request=None,
        responses={
            200: ok(shapes.RunCancelledSerializer, {**STARTED_EXAMPLE, "status": "cancelled", "changed": True}),
            **errors(404),
        },
    )
    def post(self, request: Request, run_id: uuid.UUID) -> Response:
        run = selectors.run_get(user=request_owner(request), run_id=run_id)
        changed = run_cancel(run=run)
        run.refresh_from_db(fields=["status"])
        return Response({"runId": str(run.pk), "id": str(run.pk), "status": run.status, "changed": changed})
