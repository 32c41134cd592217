"""OpenAPI shapes of the workflow versions and workflow runs endpoints (drf-spectacular components)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer(
    name="VersionsErrorEnvelope",
    fields={
        "error": inline_serializer(
            name="VersionsErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.JSONField(),
            },
        )
    },
)

VERSION_SUMMARY = inline_serializer(
    name="WorkflowVersionSummary",
    fields={
        "number": serializers.IntegerField(),
        "createdAt": serializers.DateTimeField(),
        "createdBy": serializers.CharField(allow_null=True),
        "summary": serializers.CharField(),
    },
)

VERSION_PAGE = inline_serializer(
    name="WorkflowVersionPage",
    fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": VERSION_SUMMARY.__class__(many=True),
    },
)

VERSION_DOCUMENT = inline_serializer(
    name="WorkflowVersionDocument",
    fields={
        "number": serializers.IntegerField(),
        "createdAt": serializers.DateTimeField(),
        "createdBy": serializers.CharField(allow_null=True),
        "summary": serializers.CharField(),
        "graph": serializers.JSONField(),
        "vars": serializers.JSONField(),
    },
)

WORKFLOW_DOCUMENT = inline_serializer(
    name="WorkflowDocumentAfterRestore",
    fields={
        "id": serializers.UUIDField(),
        "name": serializers.CharField(),
        "version": serializers.IntegerField(),
        "graph": serializers.JSONField(),
        "vars": serializers.JSONField(),
        "failureWorkflowId": serializers.UUIDField(allow_null=True),
    },
)

RUN_REQUEST = inline_serializer(name="WorkflowRunRequest", fields={"payload": serializers.JSONField(required=False)})

RUN_STARTED = inline_serializer(
    name="WorkflowRunStarted",
    fields={
        "runId": serializers.UUIDField(),
        "id": serializers.UUIDField(),
        "status": serializers.CharField(),
        "workflowVersion": serializers.IntegerField(),
    },
)


def error(description: str, code: str, message: str, details: Any = None) -> OpenApiResponse:
    """An error answer in the envelope every API error uses, with one example."""
    example = {"error": {"code": code, "message": message, "details": details or {}}}
    return OpenApiResponse(
        response=ERROR, description=description, examples=[OpenApiExample(code, value=example, response_only=True)]
    )


NOT_FOUND = error("not yours, or missing", "not_found", "workflow not found")
