"""POST /v1/conditions/convert: a branch or switch condition from rows to text or back, with the engine's grammar."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import shapes
from backend.api.schema import errors, ok
from backend.api.validation import expect_body
from backend.core.errors import ValidationFailed
from workers.conditions import ConditionError
from workers.conditions.text import convert

_FORMS = ("text", "rules")
_ROWS = {"match": "all", "rules": [{"left": "{{payload.amount}}", "op": "gt", "right": 100, "type": "auto"}]}


class ConditionConvertApi(APIView):
    @extend_schema(
        summary="Convert a condition between its text and rules forms",
        description="What the builder's Text toggle calls. Text cannot say a rule's `type` nor hold a list "
        "or object operand: such a condition is a 400 naming the rule.",
        tags=["conditions"],
        request=shapes.ConditionConvertSerializer,
        examples=[OpenApiExample("rows to text", value={"condition": _ROWS, "to": "text"}, request_only=True)],
        responses={
            200: ok(shapes.ConditionSerializer, {"condition": "{{payload.amount}} > 100"}),
            **errors(400, 413),
        },
    )
    def post(self, request: Request) -> Response:
        body = expect_body(request.data, shapes.ConditionConvertSerializer)
        if body["to"] not in _FORMS:
            raise ValidationFailed("`to` must be text or rules", details={"to": list(_FORMS)})
        try:
            return Response({"condition": convert(body["condition"], body["to"])})
        except ConditionError as exc:
            raise ValidationFailed(str(exc), details={"condition": [str(exc)]}) from None
