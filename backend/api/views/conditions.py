"""POST /v1/conditions/convert: a branch or switch condition from rows to text or back, with the engine's grammar."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.validation import expect_fields
from backend.core.errors import ValidationFailed
from workers.conditions import ConditionError
from workers.conditions.text import convert

_FORMS = ("text", "rules")


class ConditionConvertApi(APIView):
    @extend_schema(
        summary="Convert a condition between its text and rules forms",
        tags=["conditions"],
        request=OpenApiTypes.OBJECT,
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiResponse(description="unreadable condition or a form the other cannot say"),
        },
        examples=[
            OpenApiExample(
                "to text",
                request_only=True,
                value={
                    "condition": {"match": "all", "rules": [{"left": "{{payload.amount}}", "op": "gt", "right": 100}]},
                    "to": "text",
                },
            ),
            OpenApiExample("text", response_only=True, value={"condition": "{{payload.amount}} > 100"}),
        ],
    )
    def post(self, request: Request) -> Response:
        body = expect_fields(request.data, allowed={"condition", "to"}, required={"condition", "to"})
        if body["to"] not in _FORMS:
            raise ValidationFailed("`to` must be text or rules", details={"to": list(_FORMS)})
        try:
            return Response({"condition": convert(body["condition"], body["to"])})
        except ConditionError as exc:
            raise ValidationFailed(str(exc), details={"condition": [str(exc)]}) from None
