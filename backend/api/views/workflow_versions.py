"""Workflow versions API: list a workflow's versions, read one, restore one as the newest."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.api import shapes
from backend.api.listing import list_parameters, ordering_param, paginated
from backend.api.schema import errors, ok, page_example, page_of
from backend.api.views.workflows import DOCUMENT_EXAMPLE, workflow_document
from backend.core.timefmt import iso_ms
from backend.workflows.models import WorkflowVersion
from backend.workflows.selectors import VERSION_ORDERINGS, version_get, version_list, workflow_get
from backend.workflows.services import workflow_restore

TAGS = ["workflow versions"]
_EXAMPLE = {"number": 3, "createdAt": "2026-12-05T20:41:07.512Z", "createdBy": "admin", "summary": "added node Slack"}


def version_summary(version: WorkflowVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "createdAt": iso_ms(version.created_at),
        "createdBy": version.created_by.get_username() if version.created_by else None,
        "summary": version.summary,
    }


def version_document(version: WorkflowVersion) -> dict[str, Any]:
    return {**version_summary(version), "graph": version.graph, "vars": dict(version.variables or {})}


class WorkflowVersionListApi(APIView):
    @extend_schema(
        operation_id="workflow_versions_list",
        summary="List a workflow's versions, newest first",
        tags=TAGS,
        parameters=list_parameters(VERSION_ORDERINGS),
        responses={200: ok(page_of(shapes.VersionSummarySerializer), page_example(_EXAMPLE)), **errors(400, 404)},
    )
    def get(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = workflow_get(user=request_owner(request), workflow_id=workflow_id)
        versions = version_list(workflow=workflow, ordering=ordering_param(request, VERSION_ORDERINGS))
        return paginated(request, self, versions, version_summary)


class WorkflowVersionDetailApi(APIView):
    @extend_schema(
        operation_id="workflow_version_retrieve",
        summary="One version of a workflow, with its graph and vars",
        tags=TAGS,
        responses={
            200: ok(shapes.VersionSerializer, {**_EXAMPLE, "graph": {"nodes": [], "edges": []}, "vars": {}}),
            **errors(404),
        },
    )
    def get(self, request: Request, workflow_id: uuid.UUID, number: int) -> Response:
        workflow = workflow_get(user=request_owner(request), workflow_id=workflow_id)
        return Response(version_document(version_get(workflow=workflow, number=number)))


class WorkflowVersionRestoreApi(APIView):
    @extend_schema(
        operation_id="workflow_version_restore",
        summary="Restore a version: the workflow takes its graph and vars, kept as a new version",
        description="Answers the workflow. A version whose graph no longer compiles is a 400 listing the problems.",
        tags=TAGS,
        request=None,
        responses={200: ok(shapes.WorkflowSerializer, DOCUMENT_EXAMPLE), **errors(400, 404)},
    )
    def post(self, request: Request, workflow_id: uuid.UUID, number: int) -> Response:
        owner = request_owner(request)
        workflow = workflow_get(user=owner, workflow_id=workflow_id)
        return Response(workflow_document(workflow_restore(workflow=workflow, number=number, by=owner)))
