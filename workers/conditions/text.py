"""Writes a condition tree in the text form, so the builder can switch a condition between rows and text."""

from __future__ import annotations

import json
from typing import Any

from workers.conditions.model import ConditionError, Node, Rule
from workers.conditions.operands import is_placeholder

_WORDS = {
    "equals": "==",
    "not_equals": "!=",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "contains": "contains",
    "not_contains": "not contains",
    "starts_with": "startsWith",
    "ends_with": "endsWith",
    "exists": "exists",
    "not_exists": "not exists",
    "is_empty": "empty",
    "not_empty": "not empty",
}


def to_text(node: Node) -> str:
    """The text that parses back to `node`; ConditionError for what the text form cannot say (a rule's
    chosen type, a list or object operand)."""
    return _node(node, top=True, path="")


def _node(node: Node, *, top: bool, path: str) -> str:
    if isinstance(node, Rule):
        return _rule(node, path)
    joiner = " and " if node.match == "all" else " or "
    parts = [_node(child, top=False, path=f"{path}rules[{i}].") for i, child in enumerate(node.rules)]
    if not parts:
        raise ConditionError(f"{path or 'the condition'}: a group without rules has no text form")
    text = joiner.join(parts)
    if node.negate:
        return f"not ({text})"
    return text if top or len(parts) == 1 else f"({text})"


def _rule(rule: Rule, path: str) -> str:
    if rule.type != "auto":
        raise ConditionError(f"{path}type: the text form compares as auto; a rule typed {rule.type} stays in rows")
    left = _operand(rule.left, f"{path}left")
    if rule.right is None and rule.op in ("exists", "not_exists", "is_empty", "not_empty"):
        return f"{left} {_WORDS[rule.op]}"
    return f"{left} {_WORDS[rule.op]} {_operand(rule.right, f'{path}right')}"


def _operand(value: Any, place: str) -> str:
    if is_placeholder(value):
        return str(value)
    if isinstance(value, list | dict):
        raise ConditionError(f"{place}: a list or object has no text form")
    return json.dumps(value, ensure_ascii=False)


def convert(value: Any, to: str) -> Any:
    """A condition (text or JSON) in the form `to` names: "text", or "rules" (the canonical JSON the
    builder's rows edit). ConditionError names the place of what cannot be read or written."""
    from workers.conditions.canonical import parse_condition, to_canonical

    node = parse_condition(value)
    return to_text(node) if to == "text" else to_canonical(node)
