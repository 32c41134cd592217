"""The Branch node (kind `branch`): tests one condition and takes its "true" or its "false" output."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict, Field

from workers.conditions import Condition
from workers.conditions.schema import CONDITION_WIDGET
from workers.executors.base import NodeContext, NodeResult, NodeSpec, RetrySettings
from workers.executors.conditional import holds, read_config


class BranchConfig(RetrySettings):
    model_config = ConfigDict(extra="forbid", title="Branch (if/else)")

    condition: Condition = Field(
        title="Condition",
        description='Rules, or text such as {{payload.amount}} > 100 and {{payload.tag}} contains "vip".',
        json_schema_extra=CONDITION_WIDGET,
    )


class BranchExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="branch",
        label="Branch (if/else)",
        description="Continue on the true or the false output, depending on a condition.",
        color="#f59e0b",
        config_model=BranchConfig,
        outputs=("true", "false"),
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        config = read_config(ctx, BranchConfig)
        result = holds(ctx, "condition", config.condition)
        ctx.log("info", f"condition is {'true' if result else 'false'}", {"result": result})
        return NodeResult(output={"result": result}, ports=("true",) if result else ("false",))
