"""Operands: literal JSON values whose strings may hold placeholders, resolved as values, never as syntax."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from workers.templates import MISSING, PLACEHOLDER, TemplateError, has_placeholder, parse_expression

Resolver = Callable[[str], Any]
SHOWN_CHARS = 40


def placeholder_problem(value: Any) -> str | None:
    """Why a literal's placeholders can never be resolved in a condition; None when they can."""
    if not isinstance(value, str) or "{{" not in value:
        return None
    for match in PLACEHOLDER.finditer(value):
        try:
            expr = parse_expression(match.group(1))
        except TemplateError as exc:
            return exc.message
        if expr.credential is not None:
            return f"{expr.source}: credentials cannot be used in conditions"
    if "{{" in PLACEHOLDER.sub("", value):
        return f"unclosed {{{{ in {shown(value)}"
    return None


def resolve(value: Any, resolver: Resolver) -> Any:
    """The operand's value: a string with placeholders goes through the engine's resolver, once."""
    if isinstance(value, str) and has_placeholder(value):
        return resolver(value)
    return value


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and PLACEHOLDER.fullmatch(value) is not None


def shown(value: Any) -> str:
    """A value as an error message shows it: JSON, cut short (values may be long)."""
    if value is MISSING:
        return "(missing)"
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
