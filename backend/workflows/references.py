"""Compile-time check of template references: each `{{steps.X…}}` must name a node upstream of its reader."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

from workers.template_refs import StepRef, config_references


class RefNode(Protocol):
    index: int
    id: str
    config: dict[str, Any]
    config_path: str
    deps: list[int]


def reference_errors(
    nodes: Sequence[RefNode], *, order: Sequence[RefNode] | None, invalid_ids: Collection[str] = ()
) -> list[dict[str, str]]:
    """{path, code, message} for every bad placeholder; `order` is the topological order (None on a cycle).

    Ids of nodes that failed validation (`invalid_ids`) are not reported again as unknown.
    """
    by_id = {node.id: node for node in nodes}
    errors: list[dict[str, str]] = []
    wanted: list[tuple[RefNode, StepRef, RefNode]] = []

    def add(node: RefNode, field: str, code: str, message: str) -> None:
        errors.append(
            {
                "path": f"{node.config_path}.{field}",
                "code": code,
                "message": f'node "{node.id}" field {field}: {message}',
            }
        )

    for node in nodes:
        problems, refs = config_references(node.config)
        for problem in problems:
            add(node, problem.field, "invalid_template", problem.message)
        for ref in refs:
            target = by_id.get(ref.node_id)
            if ref.node_id == node.id:
                add(
                    node,
                    ref.field,
                    "self_reference",
                    f"{ref.source} reads this node's own output, which does not exist yet",
                )
            elif target is None:
                if ref.node_id not in invalid_ids:
                    add(
                        node,
                        ref.field,
                        "unknown_step",
                        f'{ref.source} reads node "{ref.node_id}", which is not in this graph',
                    )
            else:
                wanted.append((node, ref, target))
    if order is not None and wanted:
        bits, bit_of = _upstream_bits(order, {target.index for _, _, target in wanted})
        for node, ref, target in wanted:
            if not bits.get(node.index, 0) & bit_of[target.index]:
                add(
                    node,
                    ref.field,
                    "not_upstream",
                    f'{ref.source} reads node "{target.id}", which is not upstream of "{node.id}" '
                    f'(only nodes with a path of edges to "{node.id}" have run when it starts)',
                )
    return errors


def _upstream_bits(order: Sequence[RefNode], targets: set[int]) -> tuple[dict[int, int], Mapping[int, int]]:
    """For each node, a bit set of the referenced nodes among its ancestors.

    Only referenced nodes get a bit, so the sets stay as small as the number of distinct targets and
    one pass in topological order (each edge once) computes them all: linear for the usual few targets.
    """
    bit_of = {index: 1 << position for position, index in enumerate(sorted(targets))}
    bits: dict[int, int] = {}
    for node in order:
        mask = 0
        for dep in node.deps:
            mask |= bits[dep] | bit_of.get(dep, 0)
        bits[node.index] = mask
    return bits, bit_of
