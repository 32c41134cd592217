"""The short human summary of what one save changed in a workflow's graph and vars."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_LISTED = 3  # names listed per kind of change before "and N more"


def change_summary(
    old_graph: Mapping[str, Any], old_vars: Mapping[str, Any], new_graph: Mapping[str, Any], new_vars: Mapping[str, Any]
) -> str:
    """E.g. "added node Slack; removed edge a→b; changed config of Fetch; changed vars"."""
    old_nodes, new_nodes = _nodes(old_graph), _nodes(new_graph)
    names = {**{k: _name(n) for k, n in old_nodes.items()}, **{k: _name(n) for k, n in new_nodes.items()}}
    both = [k for k in new_nodes if k in old_nodes]
    parts = [
        _part("added node", [names[k] for k in new_nodes if k not in old_nodes]),
        _part("removed node", [names[k] for k in old_nodes if k not in new_nodes]),
        _part("renamed node", [names[k] for k in both if _name(old_nodes[k]) != _name(new_nodes[k])]),
        _part("changed type of", [names[k] for k in both if old_nodes[k].get("type") != new_nodes[k].get("type")]),
        _part("changed config of", [names[k] for k in both if _config(old_nodes[k]) != _config(new_nodes[k])]),
    ]
    old_edges, new_edges = _edges(old_graph), _edges(new_graph)
    parts.append(_part("added edge", [_edge_name(e, names) for e in new_edges if e not in old_edges]))
    parts.append(_part("removed edge", [_edge_name(e, names) for e in old_edges if e not in new_edges]))
    if dict(old_vars) != dict(new_vars):
        parts.append("changed vars")
    summary = "; ".join(p for p in parts if p)
    if not summary and any(old_nodes[k].get("position") != new_nodes[k].get("position") for k in both):
        summary = "moved nodes"
    return summary or "no visible change"


def _nodes(graph: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    nodes = graph.get("nodes") if isinstance(graph, Mapping) else None
    return {n["id"]: n for n in nodes or [] if isinstance(n, Mapping) and isinstance(n.get("id"), str)}


def _name(node: Mapping[str, Any]) -> str:
    data = node.get("data") if isinstance(node.get("data"), Mapping) else {}
    label = data.get("label") if isinstance(data, Mapping) else None
    return label if isinstance(label, str) and label.strip() else str(node.get("id"))


def _config(node: Mapping[str, Any]) -> Any:
    data = node.get("data") if isinstance(node.get("data"), Mapping) else {}
    return data.get("config") if isinstance(data, Mapping) else None


def _edges(graph: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Edges as (source, output, target): an edge's id is a client detail and says nothing changed."""
    edges = graph.get("edges") if isinstance(graph, Mapping) else None
    return [
        (str(e.get("source")), str(e.get("sourceHandle") or ""), str(e.get("target")))
        for e in edges or []
        if isinstance(e, Mapping)
    ]


def _edge_name(edge: tuple[str, str, str], names: Mapping[str, str]) -> str:
    source, handle, target = edge
    port = f" ({handle})" if handle else ""
    return f"{names.get(source, source)}{port}→{names.get(target, target)}"


def _part(verb: str, names: list[str]) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:_LISTED])
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return f"{verb} {shown}{more}"
