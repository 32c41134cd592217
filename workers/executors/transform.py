"""The Transform node (kind `transform`): builds a JSON object from a source by keep → drop → rename → set."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from workers.executors.base import NodeContext, NodeFailure, NodeResult, NodeSpec
from workers.executors.conditional import node_name, read_config
from workers.executors.transform_config import TransformConfig, kind, path_parts

_ABSENT = object()


class TransformExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="transform",
        label="Transform (set fields)",
        description="Build a JSON object: keep, drop and rename fields of a source, and set new ones.",
        color="#0ea5e9",
        config_model=TransformConfig,
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        config = read_config(ctx, TransformConfig)
        # A copy: the source may be the very object of the payload or of an upstream output.
        source = copy.deepcopy(dict(ctx.payload) if config.source is None else config.source)
        if config.keep == "all":
            result = source
        elif config.keep == "none":
            result = {}
        else:
            result = {}
            for index, path in enumerate(config.keep):
                value = _get(source, path_parts(path))
                if value is not _ABSENT:
                    _put(ctx, result, path, value, f"keep[{index}]")
        for path in config.drop:
            _pop(result, path_parts(path))
        for index, entry in enumerate(config.rename):
            value = _pop(result, path_parts(entry.from_))
            if value is not _ABSENT:
                _put(ctx, result, entry.to, value, f"rename[{index}].to")
        for index, item in enumerate(config.set):
            _put(ctx, result, item.name, copy.deepcopy(item.value), f"set[{index}].name")
        return NodeResult(output=result)


def _get(obj: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(obj, dict) or part not in obj:
            return _ABSENT
        obj = obj[part]
    return obj


def _pop(obj: dict[str, Any], parts: list[str]) -> Any:
    parent = _get(obj, parts[:-1])
    if not isinstance(parent, dict):
        return _ABSENT
    return parent.pop(parts[-1], _ABSENT)


def _put(ctx: NodeContext, obj: dict[str, Any], path: str, value: Any, field: str) -> None:
    parts = path_parts(path)
    for depth, part in enumerate(parts[:-1]):
        if part not in obj:
            obj[part] = {}
        elif not isinstance(obj[part], dict):
            where = ".".join(parts[: depth + 1])
            raise NodeFailure(
                f'{node_name(ctx)}: {field}: "{where}" is {kind(obj[part])}, not an object, so "{path}" cannot be set'
            )
        obj = obj[part]
    obj[parts[-1]] = value
