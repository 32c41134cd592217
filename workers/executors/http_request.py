"""The HTTP Request node (kind `http`, engine alias `http_request_node`). PLACEHOLDER: helper H2 owns this."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from workers.executors.base import NodeContext, NodeFailure, NodeResult, NodeSpec


class AuthRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credentialName: str = Field(min_length=1, max_length=100)


class HttpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="HTTP Request")
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: str = Field(min_length=1)
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    json_body: dict[str, Any] | None = None
    auth: AuthRef | None = None
    timeout_s: float = Field(default=30.0, gt=0, le=600)


class HttpRequestExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="http",
        label="HTTP Request",
        description="Call any HTTP API: Slack, Notion or your own.",
        color="#6366f1",
        config_model=HttpConfig,
        aliases=("http_request_node",),
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        raise NodeFailure("not implemented yet")
