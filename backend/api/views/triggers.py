"""Owner API for a workflow's triggers: its webhook (read, enable/update, disable, new URL) and schedule."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.api.validation import expect_fields
from backend.triggers import documents, schedule_services, selectors, webhook_services

_ERROR = inline_serializer(
    "TriggerError",
    {
        "error": inline_serializer(
            "TriggerErrorBody",
            {"code": serializers.CharField(), "message": serializers.CharField(), "details": serializers.DictField()},
        )
    },
)
_ERRORS = {
    400: OpenApiResponse(_ERROR, description="invalid field (details name it)"),
    404: OpenApiResponse(_ERROR, description="no such workflow of yours, or no trigger of this kind"),
}
_HOOK = inline_serializer(
    "Webhook",
    {
        "workflowId": serializers.UUIDField(),
        "enabled": serializers.BooleanField(),
        "url": serializers.URLField(),
        "path": serializers.CharField(),
        "signature": serializers.ChoiceField(["none", "github", "stripe", "generic"]),
        "signatureHeader": serializers.CharField(),
        "secretSet": serializers.BooleanField(),
        "secretPreview": serializers.CharField(),
        "newSecret": serializers.CharField(required=False),
        "stripeToleranceS": serializers.IntegerField(),
        "dedupHeader": serializers.CharField(),
        "maxBodyBytes": serializers.IntegerField(),
        "respond": serializers.ChoiceField(["immediately", "result"]),
        "respondNode": serializers.CharField(),
        "respondTimeoutS": serializers.IntegerField(),
        "failureStatus": serializers.IntegerField(),
    },
)
_HOOK_EXAMPLE = OpenApiExample(
    "GitHub hook",
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
_HOOK_PUT = inline_serializer(
    "WebhookPut",
    {
        "enabled": serializers.BooleanField(required=False),
        "signature": serializers.CharField(required=False),
        "signatureHeader": serializers.CharField(required=False),
        "secret": serializers.CharField(required=False),
        "stripeToleranceS": serializers.IntegerField(required=False),
        "dedupHeader": serializers.CharField(required=False),
        "maxBodyBytes": serializers.IntegerField(required=False),
        "respond": serializers.CharField(required=False),
        "respondNode": serializers.CharField(required=False),
        "respondTimeoutS": serializers.IntegerField(required=False),
        "failureStatus": serializers.IntegerField(required=False),
    },
)
_SCHEDULE = inline_serializer(
    "Schedule",
    {
        "workflowId": serializers.UUIDField(),
        "enabled": serializers.BooleanField(),
        "kind": serializers.CharField(),
        "cron": serializers.CharField(allow_null=True),
        "timezone": serializers.CharField(),
        "interval": serializers.DictField(allow_null=True),
        "nextRuns": serializers.ListField(child=serializers.DateTimeField()),
        "lastTick": serializers.DateTimeField(allow_null=True),
        "lastRunId": serializers.UUIDField(allow_null=True),
        "lastError": serializers.CharField(),
    },
)
_SCHEDULE_PUT = inline_serializer(
    "SchedulePut",
    {
        "cron": serializers.CharField(required=False),
        "timezone": serializers.CharField(required=False),
        "interval": serializers.DictField(required=False),
        "enabled": serializers.BooleanField(required=False),
    },
)
_SCHEDULE_EXAMPLE = OpenApiExample(
    "Weekdays at 9 in Paris",
    value={
        "enabled": True,
        "kind": "cron",
        "cron": "0 9 * * 1-5",
        "timezone": "Europe/Paris",
        "nextRuns": ["2026-12-07T08:00:00.000Z", "2026-12-08T08:00:00.000Z", "2026-12-09T08:00:00.000Z"],
    },
)


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/")


class WebhookApi(APIView):
    @extend_schema(responses={200: _HOOK, 404: _ERRORS[404]}, examples=[_HOOK_EXAMPLE], summary="Read the webhook")
    def get(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        hook = selectors.webhook_get(workflow=workflow)
        return Response(documents.webhook_document(hook, base_url=_base_url(request)))

    @extend_schema(
        request=_HOOK_PUT,
        responses={200: _HOOK, **_ERRORS},
        examples=[_HOOK_EXAMPLE],
        summary="Enable or update the webhook (a made-up secret is shown once, as newSecret)",
    )
    def put(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        options = expect_fields(request.data, allowed=set(webhook_services.OPTIONS))
        hook, shown = webhook_services.webhook_put(workflow=workflow, options=options)
        body: dict[str, Any] = documents.webhook_document(hook, base_url=_base_url(request))
        if shown:
            body["newSecret"] = shown
        return Response(body)

    @extend_schema(responses={204: None, 404: _ERRORS[404]}, summary="Remove the webhook (its URL answers 404)")
    def delete(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        webhook_services.webhook_delete(hook=selectors.webhook_get(workflow=workflow))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRegenerateApi(APIView):
    @extend_schema(
        request=None,
        responses={200: _HOOK, 404: _ERRORS[404]},
        examples=[_HOOK_EXAMPLE],
        summary="New URL; the old one is 404",
    )
    def post(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        hook = webhook_services.webhook_regenerate(hook=selectors.webhook_get(workflow=workflow))
        return Response(documents.webhook_document(hook, base_url=_base_url(request)))


class ScheduleApi(APIView):
    @extend_schema(responses={200: _SCHEDULE, 404: _ERRORS[404]}, examples=[_SCHEDULE_EXAMPLE], summary="Read")
    def get(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        schedule = selectors.schedule_get(workflow=workflow)
        return Response(documents.schedule_document(schedule, now=timezone.now()))

    @extend_schema(
        request=_SCHEDULE_PUT,
        responses={200: _SCHEDULE, **_ERRORS},
        examples=[_SCHEDULE_EXAMPLE],
        summary="Set the schedule (cron + timezone, or interval); enabled=false pauses it",
    )
    def put(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        schedule = schedule_services.schedule_put(
            workflow=workflow, options=expect_fields(request.data, allowed=schedule_services.FIELDS)
        )
        return Response(documents.schedule_document(schedule, now=timezone.now()))

    @extend_schema(responses={204: None, 404: _ERRORS[404]}, summary="Remove the schedule")
    def delete(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = selectors.owned_workflow(user=request_owner(request), workflow_id=workflow_id)
        schedule_services.schedule_delete(schedule=selectors.schedule_get(workflow=workflow))
        return Response(status=status.HTTP_204_NO_CONTENT)
