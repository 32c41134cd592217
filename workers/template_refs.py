"""Static checks of a node config's placeholders before any run: syntax, roots, the steps they read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from workers.templates import NAME_FIELDS, PLACEHOLDER, TemplateError, credential_names, parse_expression

_IN_KEY = "\0key"  # a marker, never a placeholder body: `_walk` found a placeholder in a key


@dataclass(frozen=True)
class StepRef:
    """`{{steps.<node_id>…}}` at config field `field`."""

    field: str
    source: str
    node_id: str


@dataclass(frozen=True)
class TemplateProblem:
    field: str
    message: str


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    # Hot in the compiler (every node of a big graph): the `in` test skips most strings without a regex.
    if isinstance(value, str):
        if "{{" in value:
            for match in PLACEHOLDER.finditer(value):
                yield path, match.group(1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if "{{" in str(key) and PLACEHOLDER.search(str(key)):
                yield f"{path}.{key}", _IN_KEY
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def config_references(config: Mapping[str, Any]) -> tuple[list[TemplateProblem], list[StepRef]]:
    """Placeholders that can never resolve, and every step reference, in the fields a run renders.

    Condition fields count: their operands are rendered one by one by the executor (NodeContext.resolve).
    """
    problems: list[TemplateProblem] = []
    refs: list[StepRef] = []
    for key, value in config.items():
        if key in NAME_FIELDS:
            continue
        for where, inner in _walk(value, key):
            if inner is _IN_KEY:
                problems.append(TemplateProblem(where, "placeholders are filled in values only, not in names (keys)"))
                continue
            try:
                expr = parse_expression(inner)
            except TemplateError as exc:
                problems.append(TemplateProblem(where, exc.message))
                continue
            if not expr.path or expr.path[0] != "steps":
                continue
            rest = expr.path[1:]
            if not rest:
                problems.append(
                    TemplateProblem(where, f"{expr.source} needs a node id: {{{{steps.<nodeId>.output…}}}}")
                )
            elif len(rest) > 1 and rest[1] not in ("output", "error"):
                problems.append(
                    TemplateProblem(
                        where,
                        f"{expr.source}: a step exposes `output` and `error`, write {{{{steps.{rest[0]}.output.…}}}}",
                    )
                )
            else:
                refs.append(StepRef(where, expr.source, rest[0]))
    return problems, refs


def config_credentials(config: Mapping[str, Any]) -> set[str]:
    """Every credential a node config uses: its auth credential and each getCredential('…')."""
    names = credential_names(config)
    auth = config.get("auth")
    name = auth.get("credentialName") if isinstance(auth, Mapping) else None
    if isinstance(name, str) and name:
        names.add(name)
    return names
