"""The Switch node (kind `switch`): named cases, each a condition and an output; "default" when none match."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from workers.conditions import Condition
from workers.conditions.schema import CONDITION_WIDGET
from workers.executors.base import NodeContext, NodeResult, NodeSpec, RetrySettings
from workers.executors.conditional import holds, read_config

DEFAULT_OUTPUT = "default"
MAX_CASES = 50
_CASE_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")


class SwitchCase(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Case")

    name: str = Field(
        title="Name",
        description="The output this case takes: 1–40 letters, digits, _ or -.",
        json_schema_extra={"pattern": _CASE_NAME.pattern, "maxLength": 40, "minLength": 1},
    )
    condition: Condition = Field(title="Condition", json_schema_extra=CONDITION_WIDGET)

    @field_validator("name")
    @classmethod
    def _output_name(cls, value: str) -> str:
        if not _CASE_NAME.fullmatch(value):
            raise PydanticCustomError("invalid_case_name", "a case name is 1–40 letters, digits, _ or -")
        if value.lower() == DEFAULT_OUTPUT:
            raise PydanticCustomError("invalid_case_name", '"default" is the output taken when no case matches')
        return value


class SwitchConfig(RetrySettings):
    model_config = ConfigDict(extra="forbid", title="Switch")

    cases: list[SwitchCase] = Field(min_length=1, max_length=MAX_CASES, title="Cases")
    mode: Literal["first", "all"] = Field(
        default="first",
        title="Match",
        description="first: take the first case that matches. all: take every case that matches.",
    )

    @field_validator("cases")
    @classmethod
    def _unique_names(cls, cases: list[SwitchCase]) -> list[SwitchCase]:
        seen: set[str] = set()
        for case in cases:
            if case.name in seen:
                raise PydanticCustomError("duplicate_case", 'two cases are named "{name}"', {"name": case.name})
            seen.add(case.name)
        return cases


class SwitchExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="switch",
        label="Switch",
        description="Continue on the output of the case that matches (or of every case that matches), else default.",
        color="#ec4899",
        config_model=SwitchConfig,
        outputs=(DEFAULT_OUTPUT,),
        outputs_from="cases",
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        config = read_config(ctx, SwitchConfig)
        matched: list[str] = []
        for index, case in enumerate(config.cases):
            if holds(ctx, f"cases[{index}].condition", case.condition):
                matched.append(case.name)
                if config.mode == "first":
                    break
        ctx.log("info", f"matched: {', '.join(matched) or 'no case (default)'}", {"matched": matched})
        return NodeResult(output={"matched": matched}, ports=tuple(matched) or (DEFAULT_OUTPUT,))
