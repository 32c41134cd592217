"""Builds a node's frozen context: upstream outputs, payload, resolved templates and secrets.

INITIAL VERSION: no templates or credentials yet (the vault work extends this module).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workers.executors.base import EngineLimits, LogFn, NodeContext
from workers.redaction import Redactor


@dataclass
class PreparedNode:
    context: NodeContext
    redactor: Redactor


class PreparationError(Exception):
    """The node cannot start (missing credential, bad template path); the message names node and field."""


def prepare_node(
    *,
    run_id: str,
    owner_id: int,
    node: Mapping[str, Any],
    payload: Mapping[str, Any],
    variables: Mapping[str, Any],
    upstream: Mapping[str, Any],
    limits: EngineLimits,
    idempotency_key: str,
    log: LogFn,
) -> PreparedNode:
    """`node` is one entry of the compiled plan: {id, kind, label, config, deps, next}."""
    ctx = NodeContext(
        run_id=run_id,
        node_id=node["id"],
        label=node.get("label") or node["id"],
        config=dict(node.get("config") or {}),
        payload=payload,
        inputs=upstream,
        idempotency_key=idempotency_key,
        limits=limits,
        log=log,
    )
    return PreparedNode(context=ctx, redactor=Redactor())
