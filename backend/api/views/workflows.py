"""Workflows API: list/create (also by importing a builder or legacy file), retrieve, update, delete, export."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.api import shapes
from backend.api.listing import list_parameters, ordering_param, paginated
from backend.api.schema import errors, ok, page_example, page_of
from backend.api.validation import expect_body
from backend.core.errors import ValidationFailed
from backend.core.timefmt import iso_ms
from backend.workflows.export import export_filename, to_builder_file
from backend.workflows.formats import is_builder_file, is_legacy, read_import
from backend.workflows.models import Workflow
from backend.workflows.selectors import WORKFLOW_ORDERINGS, workflow_get, workflow_list
from backend.workflows.services import workflow_create, workflow_delete, workflow_update

TAGS = ["workflows"]
_GRAPH = {
    "nodes": [
        {"id": "start", "type": "start", "config": {}},
        {"id": "ping", "type": "http", "config": {"method": "GET", "url": "https://example.com/"}},
    ],
    "edges": [{"source": "start", "target": "ping"}],
}
_WHEN = {"createdAt": "2026-12-05T20:41:07.123Z", "updatedAt": "2026-12-05T20:41:07.123Z"}
SUMMARY_EXAMPLE = {
    "id": "5f0c2a8e-1b7d-4c1e-9a57-0d6f1b2c3d4e",
    "name": "Ping team",
    "description": "",
    "nodeCount": 2,
    "version": 3,
    **_WHEN,
}
DOCUMENT_EXAMPLE = {
    "id": SUMMARY_EXAMPLE["id"],
    "name": "Ping team",
    "description": "",
    "vars": {"channel": "#ops"},
    "graph": {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 40, "y": 60}, "data": {"config": {}}},
            {
                "id": "ping",
                "type": "http",
                "position": {"x": 260, "y": 60},
                "data": {"config": {"method": "GET", "url": "https://example.com/"}},
            },
        ],
        "edges": [{"id": "e-start-ping", "source": "start", "target": "ping"}],
        "meta": {"name": "Ping team", "version": 1, "exportedAt": "2026-12-05T20:41:07.123Z"},
        "metadata": {},
        "vars": {"channel": "#ops"},
    },
    "version": 3,
    "failureWorkflowId": None,
    **_WHEN,
}
_WRITE_EXAMPLE = OpenApiExample(
    "name and graph", value={"name": "Ping team", "vars": {"channel": "#ops"}, "graph": _GRAPH}, request_only=True
)
_ON_NAME_TAKEN = OpenApiParameter(
    "onNameTaken", OpenApiTypes.STR, enum=["error", "rename"], description="rename: save as 'Name (2)' instead of a 409"
)


def workflow_summary(workflow: Workflow) -> dict[str, Any]:
    return {
        "id": str(workflow.pk),
        "name": workflow.name,
        "description": workflow.description,
        "nodeCount": len((workflow.graph or {}).get("nodes") or []),
        "version": workflow.version,
        "createdAt": iso_ms(workflow.created_at),
        "updatedAt": iso_ms(workflow.updated_at),
    }


def workflow_document(workflow: Workflow) -> dict[str, Any]:
    return {
        "id": str(workflow.pk),
        "name": workflow.name,
        "description": workflow.description,
        "vars": dict(workflow.variables or {}),
        "graph": _builder_file(workflow),
        "version": workflow.version,
        "failureWorkflowId": str(workflow.failure_workflow_id) if workflow.failure_workflow_id else None,
        "createdAt": iso_ms(workflow.created_at),
        "updatedAt": iso_ms(workflow.updated_at),
    }


def _builder_file(workflow: Workflow) -> dict[str, Any]:
    return to_builder_file(
        name=workflow.name, graph=workflow.graph, variables=workflow.variables, description=workflow.description
    )


def _fields_from_body(data: Any, *, partial: bool, creating: bool = False) -> dict[str, Any]:
    """Service keyword arguments from `{name, graph, description?, vars?}`, a builder file or a legacy file."""
    if is_builder_file(data) or is_legacy(data):
        return _imported_fields(data, creating=creating)
    body = expect_body(data, shapes.WorkflowPatchSerializer if partial else shapes.WorkflowWriteSerializer)
    fields: dict[str, Any] = {key: body[key] for key in ("name", "description") if key in body}
    if "graph" in body:
        if not isinstance(body["graph"], dict):
            raise ValidationFailed("`graph` must be an object", details={"graph": ["must be an object"]})
        imported = read_import(body["graph"])
        fields["graph"] = imported.graph
        if imported.variables is not None:
            fields["variables"] = imported.variables
    if "vars" in body:
        fields["variables"] = body["vars"]
    if "failureWorkflowId" in body:
        fields["failure_workflow_id"] = body["failureWorkflowId"]
    if not partial:
        fields.setdefault("description", "")
        fields.setdefault("variables", {})
    return fields


def _imported_fields(data: Any, *, creating: bool) -> dict[str, Any]:
    """From a file body: on create everything (its meta.name names the workflow); on update, what it states."""
    imported = read_import(data)
    if creating:
        return {
            "name": imported.name,
            "graph": imported.graph,
            "description": imported.description,
            "variables": imported.variables or {},
        }
    fields: dict[str, Any] = {"graph": imported.graph}
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    # Saving the canvas over a workflow must not rename it "Untitled" just because the file has no name.
    if meta.get("name") or (is_legacy(data) and data.get("name")):
        fields["name"] = imported.name
    if imported.description:
        fields["description"] = imported.description
    if imported.variables is not None:
        fields["variables"] = imported.variables
    return fields


class WorkflowListApi(APIView):
    @extend_schema(
        summary="List your workflows",
        operation_id="workflows_list",
        tags=TAGS,
        parameters=list_parameters(WORKFLOW_ORDERINGS),
        responses={
            200: ok(page_of(shapes.WorkflowSummarySerializer), page_example(SUMMARY_EXAMPLE)),
            **errors(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        ordering = ordering_param(request, WORKFLOW_ORDERINGS)
        return paginated(request, self, workflow_list(user=request_owner(request), ordering=ordering), workflow_summary)

    @extend_schema(
        summary="Create a workflow",
        description="From `{name, graph}`, or a builder file or a legacy `{name, definition}` file posted as it is. "
        "The graph is compiled: a bad one is a 400 listing every problem.",
        tags=TAGS,
        parameters=[_ON_NAME_TAKEN],
        request=shapes.WorkflowWriteSerializer,
        examples=[_WRITE_EXAMPLE],
        responses={201: ok(shapes.WorkflowSerializer, DOCUMENT_EXAMPLE, status=201), **errors(400, 409, 413)},
    )
    def post(self, request: Request) -> Response:
        on_taken = request.query_params.get("onNameTaken", "error")
        if on_taken not in ("error", "rename"):
            raise ValidationFailed(
                "`onNameTaken` must be `error` or `rename`", details={"onNameTaken": ["must be error or rename"]}
            )
        fields = _fields_from_body(request.data, partial=False, creating=True)
        workflow = workflow_create(owner=request_owner(request), rename_if_taken=on_taken == "rename", **fields)
        return Response(workflow_document(workflow), status=status.HTTP_201_CREATED)


class WorkflowDetailApi(APIView):
    @extend_schema(
        summary="Get a workflow",
        tags=TAGS,
        responses={200: ok(shapes.WorkflowSerializer, DOCUMENT_EXAMPLE), **errors(404)},
    )
    def get(self, request: Request, workflow_id: uuid.UUID) -> Response:
        return Response(workflow_document(workflow_get(user=request_owner(request), workflow_id=workflow_id)))

    @extend_schema(
        summary="Replace a workflow",
        tags=TAGS,
        request=shapes.WorkflowWriteSerializer,
        examples=[_WRITE_EXAMPLE],
        responses={200: ok(shapes.WorkflowSerializer, DOCUMENT_EXAMPLE), **errors(400, 404, 409, 413)},
    )
    def put(self, request: Request, workflow_id: uuid.UUID) -> Response:
        return self._update(request, workflow_id, partial=False)

    @extend_schema(
        summary="Change some fields of a workflow",
        tags=TAGS,
        request=shapes.WorkflowPatchSerializer,
        examples=[OpenApiExample("rename", value={"name": "Renamed"}, request_only=True)],
        responses={200: ok(shapes.WorkflowSerializer, DOCUMENT_EXAMPLE), **errors(400, 404, 409, 413)},
    )
    def patch(self, request: Request, workflow_id: uuid.UUID) -> Response:
        return self._update(request, workflow_id, partial=True)

    @extend_schema(
        summary="Delete a workflow", tags=TAGS, description="Its runs stay.", responses={204: None, **errors(404)}
    )
    def delete(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow_delete(workflow=workflow_get(user=request_owner(request), workflow_id=workflow_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, workflow_id: uuid.UUID, *, partial: bool) -> Response:
        workflow = workflow_get(user=request_owner(request), workflow_id=workflow_id)
        fields = _fields_from_body(request.data, partial=partial)
        return Response(workflow_document(workflow_update(workflow=workflow, **fields)))


class WorkflowExportApi(APIView):
    @extend_schema(
        summary="Export a workflow as a builder file",
        description="An attachment `<name-in-kebab-case>-v1.json`: credential names only, never values.",
        tags=TAGS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="the builder file",
                examples=[OpenApiExample("file", value=DOCUMENT_EXAMPLE["graph"], response_only=True)],
            ),
            **errors(404),
        },
    )
    def get(self, request: Request, workflow_id: uuid.UUID) -> HttpResponse:
        workflow = workflow_get(user=request_owner(request), workflow_id=workflow_id)
        content = json.dumps(_builder_file(workflow), indent=2, ensure_ascii=False) + "\n"
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export_filename(workflow.name)}"'
        return response
