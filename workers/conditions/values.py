"""How two values compare under a rule's type (auto, number, string, boolean, date); pure functions."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from workers.conditions.model import ConditionFailure
from workers.conditions.operands import shown
from workers.templates import MISSING

_NUMERIC = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
_MAX_DATE_CHARS = 64


def numeric(value: Any) -> int | float | None:
    """A number, or a string that reads as one (finite); None otherwise (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _NUMERIC.fullmatch(value):
        try:
            number = int(value) if _INTEGER.fullmatch(value) else float(value)
        except ValueError:  # more digits than int() reads
            return None
        return number if math.isfinite(number) else None
    return None


def as_number(value: Any) -> int | float:
    number = numeric(value)
    if number is None:
        raise ConditionFailure(f"{shown(value)} is not a number")
    return number


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    raise ConditionFailure(f"{shown(value)} is not a text")


def as_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ConditionFailure(f"{shown(value)} is not a boolean (true or false)")


def as_date(value: Any) -> datetime:
    """ISO 8601 date or date-time; without a time zone it is UTC."""
    if isinstance(value, str) and len(value) <= _MAX_DATE_CHARS:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    raise ConditionFailure(f"{shown(value)} is not a date (ISO 8601, e.g. 2024-05-01 or 2024-05-01T09:30:00Z)")


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "number": as_number,
    "string": as_text,
    "boolean": as_boolean,
    "date": as_date,
}


def unary(op: str, value: Any) -> bool:
    if op in ("exists", "not_exists"):
        present = value is not MISSING and value is not None
        return present if op == "exists" else not present
    empty = value is MISSING or value is None or (isinstance(value, str | list | dict) and len(value) == 0)
    return empty if op == "is_empty" else not empty


def equal(left: Any, right: Any, type_: str) -> bool:
    if type_ != "auto":
        convert = CONVERTERS[type_]
        return bool(convert(left) == convert(right))
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        try:
            return as_boolean(left) == as_boolean(right)
        except ConditionFailure:
            return False
    left_number, right_number = numeric(left), numeric(right)
    if left_number is not None and right_number is not None:
        return left_number == right_number
    if isinstance(left, list | dict) and isinstance(right, list | dict):
        return _canonical(left) == _canonical(right)
    return isinstance(left, str) and isinstance(right, str) and left == right


def order(op: str, left: Any, right: Any, type_: str) -> bool:
    a, b = _orderable(op, left, right, type_)
    if op == "gt":
        return bool(a > b)
    if op == "gte":
        return bool(a >= b)
    if op == "lt":
        return bool(a < b)
    return bool(a <= b)


def _orderable(op: str, left: Any, right: Any, type_: str) -> tuple[Any, Any]:
    if type_ == "boolean":
        raise ConditionFailure(f"{op} does not apply to booleans")
    if type_ != "auto":
        convert = CONVERTERS[type_]
        return convert(left), convert(right)
    left_number, right_number = numeric(left), numeric(right)
    if left_number is not None and right_number is not None:
        return left_number, right_number
    for value, other in ((left, right_number), (right, left_number)):
        if other is not None and isinstance(value, str):
            raise ConditionFailure(f"{shown(value)} is not a number")
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    odd = next(v for v in (left, right) if not isinstance(v, str) and numeric(v) is None)
    raise ConditionFailure(f"{op} compares numbers, texts or dates, not {shown(odd)}")


def contains(left: Any, right: Any, type_: str) -> bool:
    if isinstance(left, list):
        if type_ != "auto":
            CONVERTERS[type_](right)  # a bad value to look for is an error, not "no match"
        return any(_same(item, right, type_) for item in left)
    if type_ not in ("auto", "string"):
        raise ConditionFailure(f"contains with type {type_} needs a list on the left, not {shown(left)}")
    return as_text(right) in as_text(left)


def affix(op: str, left: Any, right: Any) -> bool:
    text, part = as_text(left), as_text(right)
    return text.startswith(part) if op == "starts_with" else text.endswith(part)


def _same(item: Any, right: Any, type_: str) -> bool:
    try:
        return equal(item, right, type_)
    except ConditionFailure:
        return False  # an item of another type is simply not the one looked for


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
