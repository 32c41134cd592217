"""Evaluates a condition tree: operands resolved through the engine's resolver, groups short-circuit."""

from __future__ import annotations

from typing import Any

from workers.conditions.model import EQUALITY_OPS, MEMBER_OPS, ORDER_OPS, UNARY_OPS, ConditionFailure, Group, Node, Rule
from workers.conditions.operands import Resolver, is_placeholder, resolve, shown
from workers.conditions.values import affix, contains, equal, order, unary
from workers.templates import MISSING, TemplateError


def evaluate(node: Node, resolver: Resolver) -> bool:
    """True or false; ConditionFailure (with `where`) when a comparison cannot be made on these values."""
    if isinstance(node, Group):
        if node.match == "all":
            result = all(evaluate(child, resolver) for child in node.rules)
        else:
            result = any(evaluate(child, resolver) for child in node.rules)
        return result != node.negate
    return _rule(node, resolver)


def _rule(rule: Rule, resolver: Resolver) -> bool:
    left = _operand(rule, rule.left, resolver)
    if rule.op in UNARY_OPS:
        return unary(rule.op, left)
    right = _operand(rule, rule.right, resolver)
    for raw, value in ((rule.left, left), (rule.right, right)):
        if value is MISSING:
            raise ConditionFailure(f"{raw} has no value here (test it with exists first)", where=rule.where)
    try:
        return _compare(rule, left, right)
    except ConditionFailure as exc:
        raise ConditionFailure(exc.message, where=rule.where) from None


def _compare(rule: Rule, left: Any, right: Any) -> bool:
    if rule.op in EQUALITY_OPS:
        return equal(left, right, rule.type) == (rule.op == "equals")
    if rule.op in ORDER_OPS:
        return order(rule.op, left, right, rule.type)
    if rule.op in MEMBER_OPS:
        return contains(left, right, rule.type) == (rule.op == "contains")
    return affix(rule.op, left, right)


def _operand(rule: Rule, raw: Any, resolver: Resolver) -> Any:
    try:
        value = resolve(raw, resolver)
    except TemplateError as exc:
        raise ConditionFailure(exc.message, where=rule.where) from None
    if value is MISSING and not is_placeholder(raw):
        raise ConditionFailure(f"{shown(raw)} has no value here", where=rule.where)
    return value
