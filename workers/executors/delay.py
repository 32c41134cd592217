"""The Delay node: wait a number of seconds, or until a moment, without holding a worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from pydantic import ConfigDict, Field, field_validator, model_validator

from workers.executors.base import NodeContext, NodeResult, NodeSettings, NodeSpec, NodeWait

MAX_DELAY_S = 30 * 24 * 3600


class DelayConfig(NodeSettings):
    model_config = ConfigDict(extra="forbid", title="Delay")

    seconds: float | None = Field(
        default=None,
        ge=0,
        le=MAX_DELAY_S,
        title="Wait (seconds)",
        description="How long to wait, from when the step starts.",
    )
    until: str | None = Field(
        default=None,
        title="Wait until",
        description="A moment in ISO 8601 with its time zone, e.g. 2026-12-24T09:00:00+01:00 or …Z.",
        max_length=64,
    )

    @field_validator("until")
    @classmethod
    def _moment(cls, value: str | None) -> str | None:
        if value is not None:
            parse_moment(value)
        return value

    @model_validator(mode="after")
    def _one_of(self) -> DelayConfig:
        if (self.seconds is None) == (self.until is None):
            raise ValueError("give exactly one of `seconds` or `until`")
        return self


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment with an explicit time zone (a bare local time would depend on the server's)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date and time, e.g. 2026-12-24T09:00:00+01:00") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} needs a time zone, e.g. 2026-12-24T09:00:00+01:00 or 2026-12-24T08:00:00Z")
    return moment


class DelayExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="delay",
        label="Delay",
        description="Wait some seconds, or until a date and time; no worker is held while waiting.",
        color="#f59e0b",
        config_model=DelayConfig,
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        config = DelayConfig.model_validate(ctx.config)
        now = datetime.now(UTC)
        due = ctx.resume_at or _due(config, now)
        if due > now:
            raise NodeWait(due)
        return NodeResult(output={"waitedUntil": due.astimezone(UTC).isoformat().replace("+00:00", "Z")})


def _due(config: DelayConfig, now: datetime) -> datetime:
    if config.until is not None:
        return parse_moment(config.until)
    return now + timedelta(seconds=config.seconds or 0)
