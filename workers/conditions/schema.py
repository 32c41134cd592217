"""The `Condition` field type: checked at compile time, stored as written, described for the builder."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from workers.conditions.canonical import parse_condition
from workers.conditions.model import ConditionError, Op


class ConditionRule(BaseModel):
    """One comparison; `right` is absent for exists, not_exists, is_empty and not_empty."""

    model_config = ConfigDict(title="Condition rule")
    left: Any = Field(title="Left", description="A value or a template such as {{payload.amount}}.")
    op: Op = Field(title="Operator")
    right: Any = Field(default=None, title="Right", description="A value or a template.")
    type: Literal["auto", "number", "string", "boolean", "date"] = Field(
        default="auto",
        title="Compare as",
        description="auto: numbers when both sides are numbers, else booleans, else text. date: ISO 8601.",
    )


class ConditionGroup(BaseModel):
    """Rules and groups joined by all (and) or any (or), optionally negated."""

    model_config = ConfigDict(title="Condition group")
    match: Literal["all", "any"] = Field(default="all", title="Match")
    rules: list[ConditionRule | ConditionGroup] = Field(min_length=1, title="Rules")
    negate: bool = Field(default=False, title="Negate")


_TEXT_DESCRIPTION = (
    'Text form, e.g. {{payload.amount}} > 100 and ({{payload.tag}} contains "vip" or not {{payload.flag}} exists)'
)
ConditionInput = (
    Annotated[str, Field(title="Condition text", description=_TEXT_DESCRIPTION)] | ConditionGroup | ConditionRule
)


def check_condition(value: Any) -> Any:
    """The condition as written (text or JSON), once it parses; the run parses it again."""
    try:
        parse_condition(value)
    except ConditionError as exc:
        raise PydanticCustomError("invalid_condition", "{reason}", {"reason": str(exc)}) from None
    return value


Condition = Annotated[Any, PlainValidator(check_condition, json_schema_input_type=ConditionInput)]
# For the field: the builder shows a condition editor (rows, or the text) for it.
CONDITION_WIDGET: JsonDict = {"x-widget": "condition"}
