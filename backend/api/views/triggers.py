"""Owner API for a workflow's triggers: its webhook (read, enable/update, disable, new URL) and schedule."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.api import shapes
from backend.api.schema import errors
from backend.api.validation import expect_body
from backend.triggers import documents, schedule_services, selectors, webhook_services

_HOOK_EXAMPLE = OpenApiExample(
    "GitHub hook",
    response_only=True,
    value={
        "enabled": True,
        "url": "http://127.0.0.1:8000/hooks/3q2-…",
        "signature": "github",
        "signatureHeader": "x-hub-signature-256",
        "secretSet": True,
        "secretPreview": "whse…x9Q",
        "dedupHeader": "X-GitHub-Delivery",
        "respond": "immediately",
    },
)
_SCHEDULE_EXAMPLE = OpenApiExample(
    "Weekdays at 9 in Paris",
    response_only=True,
    value={
        "enabled": True,
        "kind": "cron",
        "cron": "0 9 * * 1-5",
        "timezone": "Europe/Paris",
        "nextRuns": ["2026-12-07T08:00:00.000Z", "2026-12-08T08:00:00.000Z", "2026-12-09T08:00:00.000Z"],
    },
)


TAGS = ["triggers"]
_HOOK_PUT_EXAMPLE = OpenApiExample(
    "GitHub preset",
    request_only=True,
    value={"enabled": True, "signature": "github", "dedupHeader": "X-GitHub-Delivery"},
)
_SCHEDULE_PUT_EXAMPLE = OpenApiExample(
    "weekdays at 9", request_only=True, value={"cron": "0 9 * * 1-5", "timezone": "Europe/Paris"}
)


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/")


class WebhookApi(APIView):
    @extend_schema(
        summary="Read the workflow's webhook",
        tags=TAGS,
        responses={200: shapes.WebhookSerializer, **errors(404)},
        examples=[_HOOK_EXAMPLE],
    )
    def get(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        hook = selectors.webhook_get(workflow=workflow)
        return Response(documents.webhook_document(hook, base_url=_base_url(request)))

    @extend_schema(
        summary="Enable or update the webhook",
        description="Options not sent keep their value. A secret the server makes up is shown once, as `newSecret`.",
        tags=TAGS,
        request=shapes.WebhookPutSerializer,
        responses={200: shapes.WebhookSerializer, **errors(400, 404, 413)},
        examples=[_HOOK_PUT_EXAMPLE, _HOOK_EXAMPLE],
    )
    def put(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        options = expect_body(request.data, shapes.WebhookPutSerializer)
        hook, shown = webhook_services.webhook_put(workflow=workflow, options=options)
        body: dict[str, Any] = documents.webhook_document(hook, base_url=_base_url(request))
        if shown:
            body["newSecret"] = shown
        return Response(body)

    @extend_schema(summary="Remove the webhook (its URL answers 404)", tags=TAGS, responses={204: None, **errors(404)})
    def delete(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        webhook_services.webhook_delete(hook=selectors.webhook_get(workflow=workflow))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRegenerateApi(APIView):
    @extend_schema(
        summary="Give the webhook a new URL; the old one answers 404 at once",
        tags=TAGS,
        request=None,
        responses={200: shapes.WebhookSerializer, **errors(404)},
        examples=[_HOOK_EXAMPLE],
    )
    def post(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        hook = webhook_services.webhook_regenerate(hook=selectors.webhook_get(workflow=workflow))
        return Response(documents.webhook_document(hook, base_url=_base_url(request)))


class ScheduleApi(APIView):
    @extend_schema(
        summary="Read the workflow's schedule, with its next three run times",
        tags=TAGS,
        responses={200: shapes.ScheduleSerializer, **errors(404)},
        examples=[_SCHEDULE_EXAMPLE],
    )
    def get(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        schedule = selectors.schedule_get(workflow=workflow)
        return Response(documents.schedule_document(schedule, now=timezone.now()))

    @extend_schema(
        summary="Set the schedule (cron and time zone, or an interval); enabled=false pauses it",
        tags=TAGS,
        request=shapes.SchedulePutSerializer,
        responses={200: shapes.ScheduleSerializer, **errors(400, 404, 413)},
        examples=[_SCHEDULE_PUT_EXAMPLE, _SCHEDULE_EXAMPLE],
    )
    def put(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        schedule = schedule_services.schedule_put(
            workflow=workflow, options=expect_body(request.data, shapes.SchedulePutSerializer)
        )
        return Response(documents.schedule_document(schedule, now=timezone.now()))

    @extend_schema(summary="Remove the schedule", tags=TAGS, responses={204: None, **errors(404)})
    def delete(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        schedule_services.schedule_delete(schedule=selectors.schedule_get(workflow=workflow))
        return Response(status=status.HTTP_204_NO_CONTENT)
