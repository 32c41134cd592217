"""GET /v1/node-types: every registered node kind with the JSON Schema of its config (drives the inspector)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workers.executors.base import NodeSpec
from workers.executors.registry import SPECS


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
    def get(self, request: Request) -> Response:
        return Response({"results": [node_type_document(spec) for spec in SPECS.values()]})
