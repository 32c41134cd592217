"""The Merge node: waits for its inputs (or the first to arrive) and outputs them keyed by node id."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field

from workers.executors.base import NodeContext, NodeResult, NodeSpec, RetrySettings


class MergeConfig(RetrySettings):
    model_config = ConfigDict(extra="forbid", title="Merge")

    mode: Literal["all", "first"] = Field(
        default="all",
        title="Wait for",
        description="all: every input that was not skipped; first: the first input to arrive (later ones are ignored).",
    )


class MergeExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="merge",
        label="Merge",
        description="Join branches: outputs each input's output under its node id.",
        color="#8b5cf6",
        config_model=MergeConfig,
        reads_inputs=True,
        first_input_when=("mode", "first"),
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        arrived = {node_id: output for node_id, output in ctx.inputs.items() if output is not None}
        if MergeConfig.model_validate(ctx.config).mode == "first" and arrived:
            first = next(iter(arrived))
            return NodeResult(output={"inputs": {first: arrived[first]}, "first": first})
        return NodeResult(output={"inputs": arrived})
