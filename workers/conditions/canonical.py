"""Reads a condition in either form into the tree (checked, with the place of each problem); writes JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workers.conditions.model import (
    MATCHES,
    MAX_DEPTH,
    MAX_RULES,
    OP_NAMES,
    OPS_FOR_TYPE,
    TYPES,
    UNARY_OPS,
    ConditionError,
    ConditionFailure,
    Group,
    Node,
    Rule,
)
from workers.conditions.operands import placeholder_problem, shown
from workers.conditions.parser import parse_text
from workers.conditions.values import CONVERTERS

_RULE_KEYS = frozenset({"left", "op", "right", "type", "id"})  # `id`: the builder's row key
_GROUP_KEYS = frozenset({"match", "rules", "negate", "id"})
_JSON = (str, int, float, bool, type(None), list, dict)


def parse_condition(value: Any) -> Node:
    """The tree of a condition given as text or as canonical JSON; ConditionError names the place."""
    if isinstance(value, str):
        return parse_text(value)
    if isinstance(value, Mapping):
        return _Reader().node(value, "", 0)
    raise ConditionError(
        'a condition is a text such as {{payload.total}} > 100, or an object with "rules" (a group) '
        f'or "op" (a rule), not {shown(value)}'
    )


def to_canonical(node: Node) -> dict[str, Any]:
    """The canonical JSON of a tree (what the builder's condition rows edit)."""
    if isinstance(node, Group):
        return {"match": node.match, "rules": [to_canonical(n) for n in node.rules], "negate": node.negate}
    rule: dict[str, Any] = {"left": node.left, "op": node.op}
    if node.op not in UNARY_OPS:
        rule["right"] = node.right
    rule["type"] = node.type
    return rule


def _place(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Reader:
    def __init__(self) -> None:
        self.rules = 0

    def node(self, value: Any, path: str, depth: int) -> Node:
        if not isinstance(value, Mapping):
            raise ConditionError(f"{path or 'condition'}: expected a rule or a group (an object), not {shown(value)}")
        if "rules" in value:
            return self.group(value, path, depth)
        if "op" in value:
            return self.rule(value, path)
        raise ConditionError(f'{path or "condition"}: expected a rule (with "op") or a group (with "rules")')

    def group(self, value: Mapping[str, Any], path: str, depth: int) -> Group:
        if depth >= MAX_DEPTH:
            raise ConditionError(f"{path}: groups nested deeper than {MAX_DEPTH}")
        _no_unknown_keys(value, _GROUP_KEYS, path)
        match = value.get("match", "all")
        if match not in MATCHES:
            raise ConditionError(f'{_place(path, "match")}: expected "all" or "any", not {shown(match)}')
        negate = value.get("negate", False)
        if not isinstance(negate, bool):
            raise ConditionError(f"{_place(path, 'negate')}: expected true or false, not {shown(negate)}")
        rules = value["rules"]
        if not isinstance(rules, list) or not rules:
            raise ConditionError(f"{_place(path, 'rules')}: expected a list of at least one rule or group")
        nodes = tuple(self.node(item, f"{_place(path, 'rules')}[{i}]", depth + 1) for i, item in enumerate(rules))
        return Group(match=match, rules=nodes, negate=negate, where=_where(path))

    def rule(self, value: Mapping[str, Any], path: str) -> Rule:
        self.rules += 1
        if self.rules > MAX_RULES:
            raise ConditionError(f"{path or 'condition'}: more than {MAX_RULES} rules")
        _no_unknown_keys(value, _RULE_KEYS, path)
        op, type_ = value["op"], value.get("type", "auto")
        if op not in OP_NAMES:
            raise ConditionError(f"{_place(path, 'op')}: unknown operator {shown(op)} (known: {', '.join(OP_NAMES)})")
        if type_ not in TYPES:
            raise ConditionError(f"{_place(path, 'type')}: unknown type {shown(type_)} (known: {', '.join(TYPES)})")
        if op not in OPS_FOR_TYPE[type_]:
            raise ConditionError(f'{_place(path, "op")}: {op} does not apply to type "{type_}"')
        sides = ("left",) if op in UNARY_OPS else ("left", "right")
        for side in sides:
            if side not in value:
                raise ConditionError(f"{_place(path, side)}: required for {op}")
            _check_operand(value[side], _place(path, side), type_, op)
        # The builder may leave a `right` behind when a row switches to a unary operator: ignored.
        right = value.get("right") if op not in UNARY_OPS else None
        return Rule(left=value["left"], op=op, right=right, type=type_, where=_where(path))


def _where(path: str) -> str:
    return f".{path}" if path else ""


def _no_unknown_keys(value: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    for key in value:
        if key not in allowed:
            raise ConditionError(f"{_place(path, str(key))}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _check_operand(value: Any, place: str, type_: str, op: str) -> None:
    if not isinstance(value, _JSON):
        raise ConditionError(f"{place}: expected a JSON value, not {type(value).__name__}")
    problem = placeholder_problem(value)
    if problem:
        raise ConditionError(f"{place}: {problem}")
    literal = not isinstance(value, list) and not (isinstance(value, str) and "{{" in value)
    if literal and type_ != "auto" and op not in UNARY_OPS:
        try:
            CONVERTERS[type_](value)  # a literal of the wrong type can never compare: say so now
        except ConditionFailure as exc:
            raise ConditionError(f"{place}: {exc.message}") from None
