"""The DAG compiler: a graph (builder file or run-request form) in, a deterministic execution plan out."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from backend.core.errors import ValidationFailed
from backend.core.limits import NODE_ID_MAX, NODE_LABEL_MAX, text_problem
from backend.workflows.references import reference_errors
from workers.executors.base import MAIN_OUTPUT, NodeSpec
from workers.executors.registry import SPECS

PLAN_VERSION = 1
MAX_REPORTED_ERRORS = 100  # a 10,000-node paste with one systematic mistake must not yield a 10 MB reply
MAX_REPORTED_CYCLES = 10


class GraphError(ValidationFailed):
    """The graph cannot run; `details["errors"]` lists every problem as {path, code, message}."""

    code = "invalid_graph"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        shown = errors[:MAX_REPORTED_ERRORS]
        first = "; ".join(e["message"] for e in shown[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        details: dict[str, Any] = {"errors": shown}
        if len(errors) > len(shown):
            details["truncated"] = len(errors) - len(shown)
        super().__init__(f"invalid graph: {first}{more}", details=details)


@dataclass
class _Node:
    index: int
    id: str
    kind: str
    label: str
    config: dict[str, Any]
    config_path: str = ""
    deps: list[int] = field(default_factory=list)
    next: list[int] = field(default_factory=list)
    # Named outputs of this node's kind (empty: one unnamed output) and, per output, the successors
    # its edges lead to.
    outputs: tuple[str, ...] = ()
    ports: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Collector:
    errors: list[dict[str, str]] = field(default_factory=list)

    def add(self, path: str, code: str, message: str) -> None:
        self.errors.append({"path": path, "code": code, "message": message})


def compile_graph(raw: Any, *, specs: Mapping[str, NodeSpec] = SPECS) -> dict[str, Any]:
    """The plan `{version, nodes: [{id, kind, label, config, deps, next}], roots}`, or GraphError.

    Accepts nodes with `data.config`/`data.label` (builder file) or `config`/`label` (run request).
    Every problem found is reported, not just the first.
    """
    errors = _Collector()
    if not isinstance(raw, Mapping):
        errors.add("", "not_an_object", "the graph must be a JSON object with `nodes` and `edges`")
        raise GraphError(errors.errors)
    raw_nodes = _list_field(raw, "nodes", errors)
    raw_edges = _list_field(raw, "edges", errors)
    if raw_nodes is not None and not raw_nodes:
        errors.add("nodes", "empty", "the graph has no nodes")
    aliases = {alias: spec.kind for spec in specs.values() for alias in spec.aliases}
    nodes, all_ids = _read_nodes(raw_nodes or [], specs, aliases, errors)
    by_id = {node.id: node for node in nodes}
    _read_edges(raw_edges or [], by_id, all_ids, errors)
    _check_outputs(nodes, errors)
    order, leftover = _kahn(nodes)
    if leftover:
        for cycle in _find_cycles(leftover):
            names = " → ".join(f'"{n.id}"' for n in [*cycle, cycle[0]])
            errors.add(f"nodes[{cycle[0].index}]", "cycle", f"cycle: {names}")
    # Ancestry is only meaningful without a cycle; syntax and unknown ids are checked either way.
    errors.errors.extend(reference_errors(nodes, order=None if leftover else order, invalid_ids=all_ids - by_id.keys()))
    if errors.errors:
        raise GraphError(errors.errors)
    return _plan(order)


def _list_field(raw: Mapping[str, Any], name: str, errors: _Collector) -> list[Any] | None:
    value = raw.get(name)
    if value is None:
        errors.add(name, "required", f"`{name}` is required (a list)")
        return None
    if not isinstance(value, list):
        errors.add(name, "wrong_type", f"`{name}` must be a list, not {_type_name(value)}")
        return None
    return value


def _read_nodes(
    raw_nodes: Sequence[Any], specs: Mapping[str, NodeSpec], aliases: Mapping[str, str], errors: _Collector
) -> tuple[list[_Node], set[str]]:
    """The valid nodes, and every id seen (so an edge to an invalid node is not also 'missing')."""
    nodes: list[_Node] = []
    first_index: dict[str, int] = {}
    starts: list[tuple[int, str]] = []
    for index, raw in enumerate(raw_nodes):
        path = f"nodes[{index}]"
        if not isinstance(raw, Mapping):
            errors.add(path, "wrong_type", f"node {index} must be an object, not {_type_name(raw)}")
            continue
        node_id = raw.get("id")
        if not isinstance(node_id, str) or not node_id:
            errors.add(f"{path}.id", "required", f"node {index} needs an `id` (a non-empty string)")
            continue
        if node_id in first_index:
            errors.add(
                f"{path}.id",
                "duplicate_id",
                f'duplicate node id "{node_id}" (nodes[{first_index[node_id]}] and nodes[{index}])',
            )
            continue
        first_index[node_id] = index
        problem = text_problem(node_id, max_chars=NODE_ID_MAX)
        if problem:
            errors.add(f"{path}.id", "invalid_id", f"node {index}: `id` {problem}")
            continue
        node = _read_node(raw, index, node_id, specs, aliases, errors)
        if node is not None:
            nodes.append(node)
            if node.kind == "start":
                starts.append((index, node_id))
    if len(starts) > 1:
        names = ", ".join(f'"{node_id}"' for _, node_id in starts)
        errors.add(f"nodes[{starts[1][0]}]", "multiple_starts", f"only one start node is allowed, found {names}")
    return nodes, set(first_index)


def _read_node(
    raw: Mapping[str, Any],
    index: int,
    node_id: str,
    specs: Mapping[str, NodeSpec],
    aliases: Mapping[str, str],
    errors: _Collector,
) -> _Node | None:
    path = f"nodes[{index}]"
    kind_name = raw.get("type")
    kind = None
    if isinstance(kind_name, str):
        kind = kind_name if kind_name in specs else aliases.get(kind_name)
    if kind is None:
        known = ", ".join(sorted([*specs, *aliases]))
        shown = f'"{kind_name}"' if isinstance(kind_name, str) else "missing"
        errors.add(f"{path}.type", "unknown_kind", f'node "{node_id}" has unknown type {shown}; known types: {known}')
        return None
    data = raw.get("data")
    if data is not None and not isinstance(data, Mapping):
        errors.add(f"{path}.data", "wrong_type", f'node "{node_id}": `data` must be an object')
        return None
    data = data or {}
    # The builder file nests config and label under `data`; the run-request form has them on the node.
    if "config" in data:
        config_path, config = f"{path}.data.config", data["config"]
    else:
        config_path, config = f"{path}.config", raw.get("config")
    label = data.get("label") or raw.get("label") or node_id
    if not isinstance(label, str):
        errors.add(f"{path}.data.label", "wrong_type", f'node "{node_id}": label must be a string')
        return None
    problem = text_problem(label, max_chars=NODE_LABEL_MAX)
    if problem:
        where = f"{path}.data.label" if data.get("label") else f"{path}.label"
        errors.add(where, "invalid_label", f'node "{node_id}": `label` {problem}')
        return None
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        errors.add(config_path, "wrong_type", f'node "{node_id}": config must be an object, not {_type_name(config)}')
        return None
    model = specs[kind].config_model
    try:
        validated = model.model_validate(config)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = _loc(error["loc"])
            errors.add(
                f"{config_path}.{where}" if where else config_path,
                str(error["type"]),
                f'node "{node_id}" config{"." + where if where else ""}: {error["msg"]}',
            )
        return None
    # Only what the user set: the executor tells "left at the default" from "chosen" (e.g. timeouts).
    clean = validated.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    outputs = specs[kind].output_names(clean)
    return _Node(
        index=index, id=node_id, kind=kind, label=label, config=clean, config_path=config_path, outputs=outputs
    )


def _read_edges(raw_edges: Sequence[Any], by_id: Mapping[str, _Node], known_ids: set[str], errors: _Collector) -> None:
    seen: set[tuple[int, int]] = set()
    for index, raw in enumerate(raw_edges):
        path = f"edges[{index}]"
        if not isinstance(raw, Mapping):
            errors.add(path, "wrong_type", f"edge {index} must be an object, not {_type_name(raw)}")
            continue
        edge_id = raw.get("id")
        name = f'edge "{edge_id}"' if isinstance(edge_id, str) and edge_id else f"edge {index}"
        ends: list[_Node] = []
        for end in ("source", "target"):
            value = raw.get(end)
            if not isinstance(value, str) or not value:
                errors.add(f"{path}.{end}", "required", f"{name} needs a `{end}` node id (a string)")
            elif value not in known_ids:
                errors.add(f"{path}.{end}", "unknown_node", f'{name} {end} "{value}" is not a node of this graph')
            elif value in by_id:
                ends.append(by_id[value])
        if len(ends) != 2:
            continue
        source, target = ends
        if source is target:
            errors.add(path, "self_loop", f'{name} connects node "{source.id}" to itself (cycle: "{source.id}")')
            continue
        if source.outputs and not _edge_port(raw, source, path, name, errors):
            continue
        # A duplicated edge would count the same dependency twice and the join would never fire; two
        # outputs of one node may lead to the same target (either one taken delivers).
        if (source.index, target.index) not in seen:
            seen.add((source.index, target.index))
            source.next.append(target.index)
            target.deps.append(source.index)


def _edge_port(raw: Mapping[str, Any], source: _Node, path: str, name: str, errors: _Collector) -> bool:
    """Record the output an edge leaves `source` by; False (and an error) when it names none of them."""
    port = raw.get("sourceHandle")
    if port in (None, "") and MAIN_OUTPUT in source.outputs:
        port = MAIN_OUTPUT  # an ordinary edge of a node that also has an error output
    outputs = ", ".join(f'"{o}"' for o in source.outputs)
    if not isinstance(port, str) or port not in source.outputs:
        given = f'"{port}"' if isinstance(port, str) else "none"
        errors.add(
            f"{path}.sourceHandle",
            "unknown_output",
            f'{name} leaves node "{source.id}" by output {given}; it has outputs {outputs}',
        )
        return False
    targets = source.ports.setdefault(port, [])
    target = raw["target"]
    if target not in targets:
        targets.append(target)
    return True


def _check_outputs(nodes: Sequence[_Node], errors: _Collector) -> None:
    """Outputs named by the config must be distinct (a switch's case names)."""
    for node in nodes:
        duplicates = sorted({o for o in node.outputs if node.outputs.count(o) > 1})
        if duplicates:
            errors.add(
                f"{node.config_path}",
                "duplicate_output",
                f'node "{node.id}" has more than one output named {", ".join(duplicates)}',
            )


def topological_order(raw: Any, *, specs: Mapping[str, NodeSpec] = SPECS) -> list[str]:
    """The node ids of a valid graph in execution order (raises GraphError like compile_graph)."""
    return [node["id"] for node in compile_graph(raw, specs=specs)["nodes"]]


def _kahn(nodes: Sequence[_Node]) -> tuple[list[_Node], list[_Node]]:
    """(ordered nodes, nodes left on or behind a cycle): Kahn's algorithm, ties by original index."""
    by_index = {node.index: node for node in nodes}
    pending = {node.index: len(node.deps) for node in nodes}
    ready = [index for index, count in pending.items() if count == 0]
    heapq.heapify(ready)
    order: list[_Node] = []
    while ready:
        node = by_index[heapq.heappop(ready)]
        order.append(node)
        for successor in node.next:
            pending[successor] -= 1
            if pending[successor] == 0:
                heapq.heappush(ready, successor)
    placed = {node.index for node in order}
    return order, [node for node in nodes if node.index not in placed]


def _find_cycles(leftover: Sequence[_Node]) -> list[list[_Node]]:
    """Cycles among the nodes Kahn could not place, each in edge order, found by an iterative DFS."""
    by_index = {node.index: node for node in leftover}
    state: dict[int, int] = {}  # 1 = on the current path, 2 = finished
    cycles: list[list[_Node]] = []
    for root in leftover:
        if root.index in state or len(cycles) >= MAX_REPORTED_CYCLES:
            continue
        path: list[int] = [root.index]
        iters = [iter(sorted(root.next))]
        state[root.index] = 1
        while iters:
            successor = next(iters[-1], None)
            if successor is None:
                state[path.pop()] = 2
                iters.pop()
            elif successor not in by_index or state.get(successor) == 2:
                continue
            elif state.get(successor) == 1:
                start = path.index(successor)
                cycles.append([by_index[i] for i in path[start:]])
            else:
                state[successor] = 1
                path.append(successor)
                iters.append(iter(sorted(by_index[successor].next)))
    return cycles


def _plan(order: Sequence[_Node]) -> dict[str, Any]:
    # Walking in topological order appends each neighbour list already sorted by that order: no sorting.
    deps: dict[int, list[str]] = {node.index: [] for node in order}
    following: dict[int, list[str]] = {node.index: [] for node in order}
    for node in order:
        for successor in node.next:
            deps[successor].append(node.id)
        for upstream in node.deps:
            following[upstream].append(node.id)
    return {
        "version": PLAN_VERSION,
        "nodes": [
            {
                "id": node.id,
                "kind": node.kind,
                "label": node.label,
                "config": node.config,
                "deps": deps[node.index],
                "next": following[node.index],
                **({"ports": {o: node.ports.get(o, []) for o in node.outputs}} if node.outputs else {}),
            }
            for node in order
        ],
        "roots": [node.id for node in order if not node.deps],
    }


def _loc(loc: Sequence[int | str]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts)


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "a number" if isinstance(value, int | float) else type(value).__name__
