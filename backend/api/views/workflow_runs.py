"""Run a saved workflow: POST /v1/workflows/<id>/runs with an optional payload (idempotent)."""

from __future__ import annotations

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner, vault_holder
from backend.api import shapes
from backend.api.schema import errors, ok
from backend.api.validation import expect_body
from backend.api.views.runs import default_trigger, idempotency_key
from backend.core.errors import ValidationFailed
from backend.runs.services import run_start

_STARTED = {
    "runId": "0b7e6a52-3c1d-4f8e-9a2b-6c5d4e3f2a1b",
    "id": "0b7e6a52-3c1d-4f8e-9a2b-6c5d4e3f2a1b",
    "status": "queued",
    "workflowVersion": 3,
}


class WorkflowRunApi(APIView):
    @extend_schema(
        operation_id="workflow_run_create",
        summary="Start a run of a saved workflow (its current version)",
        tags=["runs"],
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="the same key and body return the first run (200); another body is a 422",
            )
        ],
        request=shapes.WorkflowRunStartSerializer,
        examples=[OpenApiExample("payload", value={"payload": {"title": "Hello"}}, request_only=True)],
        responses={
            201: ok(shapes.WorkflowRunStartedSerializer, _STARTED, status=201, description="started"),
            200: ok(shapes.WorkflowRunStartedSerializer, _STARTED, description="an Idempotency-Key replay"),
            **errors(400, 404, 413, 422, 423),
        },
    )
    def post(self, request: Request, workflow_id: uuid.UUID) -> Response:
        key = idempotency_key(request)
        body = expect_body(request.data, shapes.WorkflowRunStartSerializer)
        payload = body.get("payload", {})
        if not isinstance(payload, dict):
            raise ValidationFailed("`payload` must be an object", details={"payload": ["must be an object"]})
        run, created = run_start(
            owner=request_owner(request),
            workflow_id=workflow_id,
            payload=payload,
            idempotency_key=key,
            request_id=getattr(request._request, "request_id", ""),
            trigger=default_trigger(request),
            vault_holder=vault_holder(request),
        )
        answer: dict[str, object] = {"runId": str(run.pk), "id": str(run.pk), "status": run.status}
        answer["workflowVersion"] = run.workflow_version
        return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
