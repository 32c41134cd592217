"""Workflow versions API: list a workflow's versions, read one, restore one as the newest."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.api.views import version_schemas as schemas
from backend.api.views.workflows import workflow_document
from backend.core.timefmt import iso_ms
from backend.workflows.models import WorkflowVersion
from backend.workflows.selectors import version_get, version_list, workflow_get
from backend.workflows.services import workflow_restore


class VersionPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int | None:
        # `pageSize` is what the other listings take: both spellings are understood.
        if "page_size" not in request.query_params and "pageSize" in request.query_params:
            self.page_size_query_param = "pageSize"
        return super().get_page_size(request)


def version_summary(version: WorkflowVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "createdAt": iso_ms(version.created_at),
        "createdBy": version.created_by.get_username() if version.created_by else None,
        "summary": version.summary,
    }


def version_document(version: WorkflowVersion) -> dict[str, Any]:
    return {**version_summary(version), "graph": version.graph, "vars": dict(version.variables or {})}


_EXAMPLE = {"number": 3, "createdAt": "2026-12-05T20:41:07.512Z", "createdBy": "admin", "summary": "added node Slack"}


class WorkflowVersionListApi(APIView):
    @extend_schema(
        operation_id="workflow_versions_list",
        summary="List a workflow's versions, newest first",
        parameters=[
            OpenApiParameter("page", int, description="page number, from 1"),
            OpenApiParameter("page_size", int, description="versions per page (20; at most 200)"),
        ],
        responses={200: schemas.VERSION_PAGE, 404: schemas.NOT_FOUND},
        examples=[
            OpenApiExample(
                "versions",
                value={"count": 1, "next": None, "previous": None, "results": [_EXAMPLE]},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow = workflow_get(user=request_owner(request), workflow_id=workflow_id)
        paginator = VersionPagination()
        page = paginator.paginate_queryset(version_list(workflow=workflow), request, view=self) or []
        return paginator.get_paginated_response([version_summary(v) for v in page])


class WorkflowVersionDetailApi(APIView):
    @extend_schema(
        operation_id="workflow_version_retrieve",
        summary="One version of a workflow, with its graph and vars",
        responses={200: schemas.VERSION_DOCUMENT, 404: schemas.NOT_FOUND},
        examples=[
            OpenApiExample(
                "version",
                value={**_EXAMPLE, "graph": {"nodes": [], "edges": []}, "vars": {"channel": "#ops"}},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, workflow_id: uuid.UUID, number: int) -> Response:
        workflow = workflow_get(user=request_owner(request), workflow_id=workflow_id)
        return Response(version_document(version_get(workflow=workflow, number=number)))


class WorkflowVersionRestoreApi(APIView):
    @extend_schema(
        operation_id="workflow_version_restore",
        summary="Restore a version: the workflow takes its graph and vars, kept as a new version",
        request=None,
        responses={
            200: schemas.WORKFLOW_DOCUMENT,
            400: schemas.error("the version no longer compiles", "invalid_graph", "the graph has problems"),
            404: schemas.NOT_FOUND,
        },
    )
    def post(self, request: Request, workflow_id: uuid.UUID, number: int) -> Response:
        owner = request_owner(request)
        workflow = workflow_get(user=owner, workflow_id=workflow_id)
        return Response(workflow_document(workflow_restore(workflow=workflow, number=number, by=owner)))
