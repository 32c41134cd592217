"""What the branch and switch nodes share: a config checked at run time, a condition tested on the run's values."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from workers.conditions import ConditionError, ConditionFailure, evaluate, parse_condition
from workers.executors.base import NodeContext, NodeFailure

ConfigT = TypeVar("ConfigT", bound=BaseModel)


def node_name(ctx: NodeContext) -> str:
    return f'node "{ctx.label or ctx.node_id}"'


def read_config(ctx: NodeContext, model: type[ConfigT]) -> ConfigT:
    try:
        return model.model_validate(ctx.config, context={"resolved": True})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "config"
        raise NodeFailure(f"{node_name(ctx)}: invalid config: {where}: {error['msg']}") from None


def holds(ctx: NodeContext, field: str, condition: Any) -> bool:
    """The condition at config `field` on this run's values; a NodeFailure naming node and field otherwise."""
    try:
        return evaluate(parse_condition(condition), ctx.resolve)
    except ConditionError as exc:
        raise NodeFailure(f"{node_name(ctx)}: {field}: {exc}") from None
    except ConditionFailure as exc:
        raise NodeFailure(f"{node_name(ctx)}: {field}{exc.where}: {exc.message}") from None
