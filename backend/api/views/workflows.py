"""Workflows API: list/create (also by importing a builder or legacy file), retrieve, update, delete, export."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import HttpResponse
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.holders import request_owner
from backend.api.validation import expect_fields
from backend.core.errors import ValidationFailed
from backend.core.timefmt import iso_ms
from backend.workflows.export import export_filename, to_builder_file
from backend.workflows.formats import is_builder_file, is_legacy, read_import
from backend.workflows.models import Workflow
from backend.workflows.selectors import workflow_get, workflow_list
from backend.workflows.services import workflow_create, workflow_delete, workflow_update

_FIELDS = frozenset({"name", "graph", "description", "vars", "failureWorkflowId"})


class WorkflowPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "pageSize"
    max_page_size = 200


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
    body = expect_fields(data, allowed=_FIELDS, required=frozenset() if partial else frozenset({"name", "graph"}))
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
    def get(self, request: Request) -> Response:
        paginator = WorkflowPagination()
        page = paginator.paginate_queryset(workflow_list(user=request_owner(request)), request, view=self) or []
        return paginator.get_paginated_response([workflow_summary(w) for w in page])

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
    def get(self, request: Request, workflow_id: uuid.UUID) -> Response:
        return Response(workflow_document(workflow_get(user=request_owner(request), workflow_id=workflow_id)))

    def put(self, request: Request, workflow_id: uuid.UUID) -> Response:
        return self._update(request, workflow_id, partial=False)

    def patch(self, request: Request, workflow_id: uuid.UUID) -> Response:
        return self._update(request, workflow_id, partial=True)

    def delete(self, request: Request, workflow_id: uuid.UUID) -> Response:
        workflow_delete(workflow=workflow_get(user=request_owner(request), workflow_id=workflow_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, workflow_id: uuid.UUID, *, partial: bool) -> Response:
        workflow = workflow_get(user=request_owner(request), workflow_id=workflow_id)
        fields = _fields_from_body(request.data, partial=partial)
        return Response(workflow_document(workflow_update(workflow=workflow, **fields)))


class WorkflowExportApi(APIView):
    def get(self, request: Request, workflow_id: uuid.UUID) -> HttpResponse:
        workflow = workflow_get(user=request_owner(request), workflow_id=workflow_id)
        content = json.dumps(_builder_file(workflow), indent=2, ensure_ascii=False) + "\n"
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export_filename(workflow.name)}"'
        return response
