"""Graph builders for tests: the flattened run-request form and the builder file form."""

from __future__ import annotations

import itertools
from typing import Any


def http_node(
    node_id: str, url: str, *, method: str = "GET", label: str | None = None, **config: Any
) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "http",
        "label": label or node_id,
        "config": {"method": method, "url": url, **config},
    }


def start_node(node_id: str = "start") -> dict[str, Any]:
    return {"id": node_id, "type": "start", "config": {}}


def edge(source: str, target: str) -> dict[str, Any]:
    return {"id": f"e-{source}-{target}", "source": source, "target": target}


def chain(*node_ids: str) -> list[dict[str, Any]]:
    return [edge(a, b) for a, b in itertools.pairwise(node_ids)]


def fan_out_in(base_url: str) -> dict[str, Any]:
    """start → a → (b, c in parallel) → d: the shape the integration tests check."""
    return {
        "nodes": [
            start_node(),
            http_node("a", f"{base_url}/a"),
            http_node("b", f"{base_url}/slow?delay=0.5&name=b"),
            http_node("c", f"{base_url}/slow?delay=0.5&name=c"),
            http_node("d", f"{base_url}/d", method="POST", body='{"joined": true}'),
        ],
        "edges": [edge("start", "a"), edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("c", "d")],
    }


def builder_file(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], name: str = "Test") -> dict[str, Any]:
    """Turn flattened nodes into the builder file form (data.config, data.label, position)."""
    return {
        "nodes": [
            {
                "id": n["id"],
                "type": n["type"],
                "position": {"x": 100 * i, "y": 60},
                "data": {"label": n.get("label", n["id"]), "config": n["config"]},
            }
            for i, n in enumerate(nodes)
        ],
        "edges": edges,
        "meta": {"name": name, "version": 1},
    }
