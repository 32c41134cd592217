"""Run a saved workflow: POST /v1/workflows/<id>/runs with an optional payload (idempotent)."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner, vault_holder
from backend.api.validation import expect_fields
from backend.api.views import version_schemas as schemas
from backend.api.views.runs import default_trigger, idempotency_key
from backend.core.errors import ValidationFailed
from backend.runs.services import run_start


class WorkflowRunApi(APIView):
    @extend_schema(
        operation_id="workflow_run_create",
        summary="Start a run of a saved workflow (its current version)",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="the same key and body return the first run (200); another body is a 422",
            )
        ],
        request=schemas.RUN_REQUEST,
        responses={
            201: schemas.RUN_STARTED,
            200: schemas.RUN_STARTED,
            400: schemas.error("bad body", "validation_error", "`payload` must be an object", {"payload": ["x"]}),
            404: schemas.NOT_FOUND,
            422: schemas.error(
                "key reused with another body",
                "idempotency_key_reused",
                "this Idempotency-Key was already used with a different request body",
            ),
            423: schemas.error("needs the vault passphrase", "vault_locked", "unlock your vault to run this"),
        },
        examples=[
            OpenApiExample("payload", value={"payload": {"title": "Hello"}}, request_only=True),
            OpenApiExample(
                "started",
                value={"runId": "5f0c…", "id": "5f0c…", "status": "queued", "workflowVersion": 3},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, workflow_id: uuid.UUID) -> Response:
        key = idempotency_key(request)
        body = expect_fields(request.data, allowed={"payload"})  # an empty body reads as {}
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
        answer = {
            "runId": str(run.pk),
            "id": str(run.pk),
            "status": run.status,
            "workflowVersion": run.workflow_version,
        }
        return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
