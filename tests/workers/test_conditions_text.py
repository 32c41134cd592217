"""The text form written from a condition tree: it reads back to the same tree; what text cannot say is refused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.conditions import ConditionError, parse_condition, to_canonical
from workers.conditions.text import to_text

_texts = st.text(max_size=8).filter(lambda s: "{{" not in s)
_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | _texts
_operands = _scalars | st.sampled_from(
    ["{{payload.a}}", "{{vars.limit}}", "{{steps.x.output.n}}", "{{trigger.query.q}}"]
)
_binary = st.sampled_from(
    ["equals", "not_equals", "gt", "gte", "lt", "lte", "contains", "not_contains", "starts_with", "ends_with"]
)
_rules = st.builds(lambda left, op, right: {"left": left, "op": op, "right": right}, _operands, _binary, _operands) | (
    st.builds(
        lambda left, op: {"left": left, "op": op},
        _operands,
        st.sampled_from(["exists", "not_exists", "is_empty", "not_empty"]),
    )
)
_trees = st.recursive(
    _rules,
    lambda inner: st.builds(
        lambda rules, match, negate: {"match": match, "rules": rules, "negate": negate},
        st.lists(inner, min_size=1, max_size=3),
        st.sampled_from(["all", "any"]),
        st.booleans(),
    ),
    max_leaves=8,
)


def _same(value: Any) -> Any:
    """The canonical form, normalised: a group of one rule is that rule (negated: its match does not
    matter, and a double negation cancels); a group nested in one of the same match, not negated, is
    flattened into it."""
    return _normal(to_canonical(parse_condition(value)))


def _normal(node: Any) -> Any:
    out = _normal_once(node)
    return out if out == node else _normal(out)


def _normal_once(node: Any) -> Any:
    if "rules" not in node:
        return node
    rules: list[Any] = []
    for child in (_normal(r) for r in node["rules"]):
        same = "rules" in child and child["match"] == node["match"] and not child["negate"]
        rules.extend(child["rules"] if same else [child])
    if len(rules) == 1:
        child = rules[0]
        if not node["negate"]:
            return child
        if "rules" in child:  # not (not x) is x; not (a and b) keeps its one group
            return {**child, "negate": not child["negate"]}
        return {"match": "all", "rules": rules, "negate": True}
    return {**node, "rules": rules}


@settings(max_examples=300, deadline=None)
@given(_trees)
def test_to_text_reads_back_to_the_same_condition(tree: dict[str, Any]) -> None:
    assert _same(to_text(parse_condition(tree))) == _same(tree)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{{payload.amount}} > 100 and {{payload.tag}} contains "vip"', None),
        ("not ({{vars.b}} exists or {{payload.x}} not empty) and {{payload.n}} <= -2.5", None),
        ('{{payload.x}} == "100"', None),
        ("not {{payload.x}} == null", "not ({{payload.x}} == null)"),
    ],
)
def test_to_text_of_parsed_text(text: str, expected: str | None) -> None:
    assert to_text(parse_condition(text)) == (expected or text)


@pytest.mark.parametrize(
    ("tree", "needle"),
    [
        ({"left": "{{payload.n}}", "op": "gt", "right": 5, "type": "number"}, "typed number stays in rows"),
        ({"match": "all", "rules": [{"left": "{{payload.l}}", "op": "contains", "right": [1]}]}, "rules[0].right"),
    ],
)
def test_to_text_refuses_what_text_cannot_say(tree: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConditionError, match=needle.replace("[", r"\[").replace("]", r"\]")):
        to_text(parse_condition(tree))
