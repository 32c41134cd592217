"""The parsed condition tree, its vocabulary (operators, types) and its two errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

UNARY_OPS = frozenset({"exists", "not_exists", "is_empty", "not_empty"})
ORDER_OPS = frozenset({"gt", "gte", "lt", "lte"})
TEXT_OPS = frozenset({"starts_with", "ends_with"})
MEMBER_OPS = frozenset({"contains", "not_contains"})
EQUALITY_OPS = frozenset({"equals", "not_equals"})
OPS = EQUALITY_OPS | ORDER_OPS | MEMBER_OPS | TEXT_OPS | UNARY_OPS
# Order kept for messages and the JSON Schema's enum.
Op = Literal[
    "equals",
    "not_equals",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "exists",
    "not_exists",
    "is_empty",
    "not_empty",
]
OP_NAMES: tuple[str, ...] = get_args(Op)
TYPES = ("auto", "number", "string", "boolean", "date")
MATCHES = ("all", "any")
# Which operators make sense for a type (contains on a number type tests a list's items).
OPS_FOR_TYPE: dict[str, frozenset[str]] = {
    "auto": OPS,
    "string": OPS,
    "number": EQUALITY_OPS | ORDER_OPS | MEMBER_OPS | UNARY_OPS,
    "date": EQUALITY_OPS | ORDER_OPS | MEMBER_OPS | UNARY_OPS,
    "boolean": EQUALITY_OPS | MEMBER_OPS | UNARY_OPS,
}

MAX_TEXT_CHARS = 10_000
MAX_DEPTH = 16  # nested groups (or parentheses)
MAX_RULES = 200  # comparisons in one condition

Match = Literal["all", "any"]


class ConditionError(ValueError):
    """A condition that cannot be read: the message names the place (`rules[1].op: …`, `at character 9: …`)."""


class ConditionFailure(Exception):
    """A condition that cannot be evaluated on these values (`"abc" is not a number`).

    `where` is the place inside the condition: `.rules[0]` (JSON form) or `` in `{{a}} > 1` `` (text form).
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(f"condition{where}: {message}")
        self.message = message
        self.where = where


@dataclass(frozen=True)
class Rule:
    left: Any  # a literal JSON value; a string may hold placeholders, resolved when evaluated
    op: str
    right: Any = None  # unused by unary operators
    type: str = "auto"
    where: str = ""


@dataclass(frozen=True)
class Group:
    match: Match
    rules: tuple[Rule | Group, ...]
    negate: bool = False
    where: str = ""


Node = Rule | Group
