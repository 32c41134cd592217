"""GET /v1/node-types: every registered node kind with the JSON Schema of its config (drives the inspector)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import shapes
from backend.api.listing import list_parameters, ordering_param, paginated
from backend.api.schema import errors, ok, page_example, page_of
from workers.executors.base import NodeSpec
from workers.executors.registry import SPECS

# Registry order (the builder's menu order) by default.
ORDERINGS = ("registry", "kind", "-kind")
EXAMPLE = {
    "kind": "http",
    "label": "HTTP request",
    "description": "Call any HTTP API",
    "color": "#4f46e5",
    "aliases": ["http_request_node"],
    "schema": {"type": "object", "properties": {"url": {"type": "string"}}},
    "outputs": [],
    "outputsFrom": None,
}


def node_type_document(spec: NodeSpec) -> dict[str, Any]:
    return {
        "kind": spec.kind,
        "label": spec.label,
        "description": spec.description,
        "color": spec.color,
        "aliases": list(spec.aliases),
        "schema": spec.config_model.model_json_schema(),
        # Named output ports (edges carry one as `sourceHandle`); `outputsFrom` names the list field
        # whose entries' `name`s come first (a switch's cases).
        "outputs": list(spec.outputs),
        "outputsFrom": spec.outputs_from,
    }


class NodeTypeListApi(APIView):
    @extend_schema(
        summary="List the node kinds",
        operation_id="node_types_list",
        description="Every registered kind with the JSON Schema of its config (drives the builder's inspector).",
        tags=["node types"],
        parameters=list_parameters(ORDERINGS),
        responses={200: ok(page_of(shapes.NodeTypeSerializer), page_example(EXAMPLE)), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        ordering = ordering_param(request, ORDERINGS)
        specs = list(SPECS.values())
        if ordering != "registry":
            specs.sort(key=lambda spec: spec.kind, reverse=ordering.startswith("-"))
        return paginated(request, self, specs, node_type_document)
