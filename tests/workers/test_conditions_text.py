"""The condition language's text form: grammar, precedence, literals, and refusals that name the place."""

from __future__ import annotations

from typing import Any

import pytest

from workers.conditions import ConditionError, parse_condition, to_canonical


def _json(text: str) -> dict[str, Any]:
    return to_canonical(parse_condition(text))


def _rule(left: Any, op: str, right: Any = None, *, unary: bool = False) -> dict[str, Any]:
    rule: dict[str, Any] = {"left": left, "op": op}
    if not unary:
        rule["right"] = right
    rule["type"] = "auto"
    return rule


def test_the_example_parses_to_the_canonical_form() -> None:
    text = '{{payload.amount}} > 100 and ({{payload.tag}} contains "vip" or not {{payload.flag}} exists)'
    assert _json(text) == {
        "match": "all",
        "rules": [
            _rule("{{payload.amount}}", "gt", 100),
            {
                "match": "any",
                "rules": [
                    _rule("{{payload.tag}}", "contains", "vip"),
                    {"match": "all", "rules": [_rule("{{payload.flag}}", "exists", unary=True)], "negate": True},
                ],
                "negate": False,
            },
        ],
        "negate": False,
    }


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("{{a}} == 1", "equals"),
        ("{{a}} != 1", "not_equals"),
        ("{{a}} > 1", "gt"),
        ("{{a}} >= 1", "gte"),
        ("{{a}} < 1", "lt"),
        ("{{a}} <= 1", "lte"),
        ("{{a}} contains 1", "contains"),
        ("{{a}} not contains 1", "not_contains"),
        ("{{a}} startsWith 1", "starts_with"),
        ("{{a}} STARTSWITH 1", "starts_with"),
        ("{{a}} endsWith 1", "ends_with"),
    ],
)
def test_binary_operators(text: str, op: str) -> None:
    assert _json(text) == _rule("{{a}}", op, 1)


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("{{a}} exists", "exists"),
        ("{{a}} not exists", "not_exists"),
        ("{{a}} empty", "is_empty"),
        ("{{a}} not empty", "not_empty"),
    ],
)
def test_unary_operators(text: str, op: str) -> None:
    assert _json(text) == _rule("{{a}}", op, unary=True)


def test_and_binds_tighter_than_or_and_chains_flatten() -> None:
    tree = _json("{{a}} == 1 or {{b}} == 2 and {{c}} == 3 AND {{d}} == 4")
    assert tree["match"] == "any"
    assert tree["rules"][0] == _rule("{{a}}", "equals", 1)
    assert tree["rules"][1]["match"] == "all" and len(tree["rules"][1]["rules"]) == 3


def test_parentheses_group_and_a_lone_comparison_in_them_is_a_rule() -> None:
    assert _json("(({{a}} == 1))") == _rule("{{a}}", "equals", 1)
    tree = _json("({{a}} == 1 or {{b}} == 2) and {{c}} == 3")
    assert tree["match"] == "all" and tree["rules"][0]["match"] == "any"


def test_not_negates_groups_and_double_not_cancels() -> None:
    assert _json("not ({{a}} == 1 or {{b}} == 2)")["negate"] is True
    assert _json("not not {{a}} == 1") == _rule("{{a}}", "equals", 1)
    assert _json("not {{a}} == 1") == {"match": "all", "rules": [_rule("{{a}}", "equals", 1)], "negate": True}


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("12", 12),
        ("-3", -3),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("true", True),
        ("FALSE", False),
        ("null", None),
        ('"a \\"quoted\\" \\\\ \\n \\u00e9"', 'a "quoted" \\ \n é'),
        ('""', ""),
    ],
)
def test_literals(literal: str, value: Any) -> None:
    assert _json(f"{{{{payload.x}}}} == {literal}")["right"] == value


def test_operands_may_be_literals_on_both_sides_and_placeholders_on_the_right() -> None:
    assert _json('"a" == {{steps.fetch.output.body.name}}') == _rule("a", "equals", "{{steps.fetch.output.body.name}}")
    assert _json("{{ payload.x }} exists")["left"] == "{{ payload.x }}"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "the condition is empty"),
        ("   ", "the condition is empty"),
        ("{{a}} = 1", 'at character 7: unexpected "="; write == to compare'),
        ("{{a}} == 1 && {{b}} == 2", 'at character 12: unexpected "&&"; write and'),
        ("{{a}} == 1 || {{b}} == 2", "write or"),
        ("!{{a}} exists", "write not"),
        ("{{a}} == 'x'", "strings are written in double quotes"),
        ("{{a}} == foo", 'at character 10: unknown word "foo"'),
        ("{{a}} is 1", 'unknown word "is"'),
        ('{{a}} == "open', "at character 10: unclosed string"),
        ('{{a}} == "bad \\q"', "invalid string"),
        ("{{a == 1", "at character 1: unclosed {{"),
        ("{{a {{b}} == 1", "unclosed {{"),
        ("{{pay load}} == 1", "invalid template expression"),
        ("{{paylaod.x}} == 1", "unknown root 'paylaod'"),
        ("{{getCredential('tok')}} == 1", "credentials cannot be used in conditions"),
        ("{{a}} == \"{{getCredential('tok')}}\"", "credentials cannot be used in conditions"),
        ("{{a}}", "at character 6: expected an operator after {{a}}"),
        ("{{a}} 1", "expected an operator after {{a}} (==, !=, >, >=, <, <=, contains, startsWith, endsWith, exists"),
        ("{{a}} ==", "at character 9: expected a value after ==, found the end"),
        ("{{a}} == and", 'expected a value after ==, found "and"'),
        ("{{a}} not startsWith 1", 'expected an operator (contains, exists or empty), found "startswith"'),
        ("{{a}} == 1 {{b}} == 2", 'at character 12: expected and, or or the end, found "{{b}}"'),
        ("({{a}} == 1", "expected ) to close the ( at character 1"),
        ("{{a}} == 1)", 'expected and, or or the end, found ")"'),
        ("and {{a}} == 1", "at character 1: expected a {{placeholder}}, a literal, not or ("),
        ("{{a}} == 1 and", "expected a {{placeholder}}"),
        ("{{a}} == 1e999", "is too large"),
        ("{{a}} > -", 'unexpected "-"'),
        ("(" * 17 + "{{a}} exists" + ")" * 17, "parentheses nested deeper than 16"),
        ("{{a}} exists and " * 200 + "{{a}} exists", "more than 200 comparisons"),
        ("{{a}} == " + '"' + "x" * 10_000 + '"', "longer than 10000 characters"),
    ],
)
def test_refusals_name_the_place(text: str, needle: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert needle in str(caught.value)


def test_a_long_run_of_not_does_not_recurse() -> None:
    assert _json("not " * 2000 + "{{a}} exists") == _rule("{{a}}", "exists", unary=True)


def test_each_comparison_knows_its_text_for_messages() -> None:
    tree = parse_condition('{{a}} > 1 and   {{b}}\n== "x"')
    assert [rule.where for rule in tree.rules] == [" in `{{a}} > 1`", ' in `{{b}} == "x"`']  # type: ignore[union-attr]
