"""The Start node: the run's entry point; its output is the run payload."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from workers.executors.base import NodeContext, NodeResult, NodeSpec


class StartConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Start")


class StartExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="start",
        label="Start",
        description="Where the workflow begins. Its output is the run payload.",
        color="#10b981",
        config_model=StartConfig,
        inline=True,
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        return NodeResult(output={"payload": dict(ctx.payload)})
