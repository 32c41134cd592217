"""The Transform node's config schema: a source object, then keep, drop, rename and set by dotted paths."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from workers.executors.base import RetrySettings
from workers.templates import PLACEHOLDER

MAX_PATH_CHARS = 200
MAX_PATH_DEPTH = 32
MAX_ENTRIES = 200


def path_parts(path: str) -> list[str]:
    return path.split(".")


def _field_path(value: str) -> str:
    parts = path_parts(value)
    if not value or any(part == "" for part in parts):
        raise PydanticCustomError("invalid_path", 'a path is names joined by dots, such as "customer.email"')
    if len(value) > MAX_PATH_CHARS or len(parts) > MAX_PATH_DEPTH:
        raise PydanticCustomError(
            "invalid_path", f"a path has at most {MAX_PATH_CHARS} characters and {MAX_PATH_DEPTH} names"
        )
    if "{{" in value or "}}" in value:
        raise PydanticCustomError("invalid_path", "a path is written as is: it cannot hold a {{placeholder}}")
    return value


FieldPath = Annotated[str, AfterValidator(_field_path)]


def _keep(value: Any) -> str | list[str]:
    if value in ("all", "none"):
        return str(value)
    if not isinstance(value, list):
        raise PydanticCustomError("invalid_keep", 'keep is "all", "none" or a list of dotted paths')
    if len(value) > MAX_ENTRIES:
        raise PydanticCustomError("too_long", f"keep lists at most {MAX_ENTRIES} paths")
    for index, path in enumerate(value):
        if not isinstance(path, str):
            raise PydanticCustomError("invalid_path", "[{index}]: a path is a text", {"index": index})
        try:
            _field_path(path)
        except PydanticCustomError as exc:
            context = {"index": index, "reason": exc.message()}
            raise PydanticCustomError("invalid_path", "[{index}]: {reason}", context) from None
    return value


Keep = Annotated[Any, PlainValidator(_keep, json_schema_input_type=Literal["all", "none"] | list[str])]


class RenameField(BaseModel):
    model_config = ConfigDict(
        extra="forbid", title="Rename", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )
    from_: FieldPath = Field(alias="from", title="From", description="A dotted path; nothing happens when absent.")
    to: FieldPath = Field(title="To", description="A dotted path; objects on the way are created.")


class SetField(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Set")
    name: FieldPath = Field(title="Field", description='A dotted path, such as "customer.email".')
    value: Any = Field(
        default=None,
        title="Value",
        description="A literal or a template; exactly one {{placeholder}} keeps the value's type.",
    )


class TransformConfig(RetrySettings):
    model_config = ConfigDict(extra="forbid", title="Transform (set fields)")

    source: Any = Field(
        default=None,
        title="Source",
        description="The object to start from, e.g. {{steps.fetch.output.body}}; the run payload when empty.",
    )
    keep: Keep = Field(default="all", title="Keep", description='"all", "none", or the dotted paths to keep.')
    drop: list[FieldPath] = Field(default_factory=list, max_length=MAX_ENTRIES, title="Drop")
    rename: list[RenameField] = Field(default_factory=list, max_length=MAX_ENTRIES, title="Rename")
    set: list[SetField] = Field(default_factory=list, max_length=MAX_ENTRIES, title="Set")

    @field_validator("source")
    @classmethod
    def _an_object(cls, value: Any, info: ValidationInfo) -> Any:
        resolved = isinstance(info.context, dict) and info.context.get("resolved")
        if value is None or isinstance(value, dict):
            return value
        if isinstance(value, str) and not resolved and PLACEHOLDER.fullmatch(value):
            return value
        if resolved:
            shown = kind(value)
            raise PydanticCustomError("not_an_object", "the source must give an object, not {kind}", {"kind": shown})
        raise PydanticCustomError(
            "not_an_object", "the source is an object or one {{placeholder}}, such as {{steps.fetch.output.body}}"
        )


def kind(value: Any) -> str:
    """How a message names a JSON value's type."""
    names = {dict: "an object", list: "a list", str: "a text", bool: "a boolean", type(None): "null"}
    for cls, name in names.items():
        if isinstance(value, cls):
            return name
    return "a number" if isinstance(value, int | float) else type(value).__name__
