"""Small request-shape checks shared by the API views: bodies against their documented shape, integer parameters."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from rest_framework import serializers

from backend.core.errors import ValidationFailed


def expect_body(data: Any, shape: type[serializers.Serializer[Any]]) -> dict[str, Any]:
    """The body as a dict with only the fields `shape` declares and every one it requires. `shape` is
    the serializer the OpenAPI schema documents the body with, so the schema's `properties` and
    `required` are what is enforced; the values' own checks stay in the services, whose messages never
    quote a secret back."""
    fields = shape().fields
    required = frozenset(name for name, field in fields.items() if field.required)
    return expect_fields(data, allowed=frozenset(fields), required=required)


def expect_fields(data: Any, *, allowed: AbstractSet[str], required: AbstractSet[str] = frozenset()) -> dict[str, Any]:
    """The body as a dict, refusing non-objects, unknown fields and missing required ones."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("the request body must be a JSON object", details={"body": ["must be an object"]})
    unknown = sorted(set(data) - allowed)
    missing = sorted(required - set(data))
    details: dict[str, list[str]] = {name: ["unknown field"] for name in unknown}
    details.update({name: ["this field is required"] for name in missing})
    if details:
        problems = [f"unknown field(s): {', '.join(unknown)}"] if unknown else []
        problems += [f"missing field(s): {', '.join(missing)}"] if missing else []
        raise ValidationFailed("; ".join(problems), details=details)
    return dict(data)


def int_param(params: Mapping[str, Any], name: str, *, default: int, minimum: int = 0) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"`{name}` must be an integer", details={name: ["must be an integer"]}) from exc
    if value < minimum:
        raise ValidationFailed(f"`{name}` must be at least {minimum}", details={name: [f"minimum {minimum}"]})
    return value
