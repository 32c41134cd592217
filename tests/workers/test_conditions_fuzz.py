"""Random text and random JSON: reading a condition raises ConditionError or nothing; evaluating one
raises ConditionFailure or nothing."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from workers.conditions import ConditionError, ConditionFailure, evaluate, parse_condition
from workers.conditions.schema import check_condition
from workers.templates import Scope, render_operand

_PIECES = [
    "{{payload.a}}",
    "{{payload.list}}",
    "{{payload.nope}}",
    "{{steps.x.output}}",
    "{{getCredential('k')}}",
    "{{",
    "}}",
    "==",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "=",
    " and ",
    " or ",
    " not ",
    "(",
    ")",
    " contains ",
    " startsWith ",
    " endsWith ",
    " exists",
    " empty",
    '"x"',
    '"',
    "\\",
    "12",
    "-1.5e3",
    "1e999",
    "true",
    "null",
    " ",
]
_texts = st.lists(st.sampled_from(_PIECES) | st.text(max_size=4), max_size=25).map("".join)
_operands = st.sampled_from(
    ["{{payload.a}}", "{{payload.list}}", "{{payload.nope}}", '"x"', "12", "-1.5", "true", "null"]
)
_comparisons = st.builds(
    lambda left, op, right: f"{left} {op} {right}".strip(),
    _operands,
    st.sampled_from(["==", "!=", ">", ">=", "<", "<=", "contains", "not contains", "startsWith", "endsWith"]),
    _operands,
) | st.builds(lambda left, op: f"{left} {op}", _operands, st.sampled_from(["exists", "not exists", "empty"]))
_grammar = st.recursive(
    _comparisons,
    lambda inner: (
        st.builds(lambda a, word, b: f"{a} {word} {b}", inner, st.sampled_from(["and", "or"]), inner)
        | inner.map(lambda text: f"not ({text})")
    ),
    max_leaves=6,
)
# Near misses: a well-formed condition with one random piece dropped in somewhere.
_mutants = st.builds(
    lambda text, at, piece: text[:at] + piece + text[at:], _grammar, st.integers(0, 80), st.sampled_from(_PIECES)
)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6) | st.sampled_from(_PIECES),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
_rules = st.fixed_dictionaries(
    {"left": _values, "op": st.sampled_from(["equals", "gt", "contains", "exists", "starts_with", "bad"])},
    optional={"right": _values, "type": st.sampled_from(["auto", "number", "string", "boolean", "date", "x"])},
)
_json = st.recursive(
    _rules | _values,
    lambda inner: st.fixed_dictionaries(
        {"rules": st.lists(inner, max_size=3) | inner},
        optional={"match": st.sampled_from(["all", "any", "none"]), "negate": st.booleans() | st.none()},
    ),
    max_leaves=10,
)
_SCOPE = Scope(payload={"a": 5, "list": [1, "x"]}, steps={"x": {"ok": True}})


def _read_and_run(condition: Any) -> None:
    try:
        tree = parse_condition(condition)
    except ConditionError:
        return
    check_condition(condition)  # the field type accepts what the reader accepts
    with contextlib.suppress(ConditionFailure):
        evaluate(tree, lambda text: render_operand(text, _SCOPE))


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(_texts | _grammar | _mutants)
def test_random_text_raises_only_condition_errors(text: str) -> None:
    _read_and_run(text)


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(_json)
def test_random_json_raises_only_condition_errors(value: Any) -> None:
    _read_and_run(value)
