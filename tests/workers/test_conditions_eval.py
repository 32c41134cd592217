"""Evaluating conditions: every operator and type, missing values, refusals, and values staying values."""

from __future__ import annotations

from typing import Any

import pytest

from workers.conditions import ConditionFailure, evaluate, parse_condition
from workers.templates import Scope, render_operand

PAYLOAD: dict[str, Any] = {
    "amount": 150,
    "amount_text": "150",
    "word": "abc",
    "tag": "vip-gold",
    "tags": ["new", "vip", 7],
    "flag": True,
    "flag_text": "TRUE",
    "none": None,
    "empty": "",
    "no_items": [],
    "no_keys": {},
    "obj": {"a": 1},
    "when": "2024-05-01T10:00:00+02:00",
    "day": "2024-05-01",
    "evil": 'x" or true or "',
}
SCOPE = Scope(payload=PAYLOAD, vars={"limit": 100}, steps={"fetch": {"status": 200}})


def _check(condition: Any) -> bool:
    return evaluate(parse_condition(condition), lambda text: render_operand(text, SCOPE))


def _rule(left: Any, op: str, right: Any = None, type_: str = "auto") -> dict[str, Any]:
    return {"left": left, "op": op, "right": right, "type": type_}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{payload.amount}} > 100", True),
        ("{{payload.amount_text}} > 100", True),  # numeric strings compare as numbers
        ('{{payload.amount_text}} == "150.0"', True),
        ("{{payload.amount}} >= 150 and {{payload.amount}} <= 150", True),
        ("{{payload.amount}} < {{vars.limit}}", False),
        ("{{payload.amount}} != 150", False),
        ('{{payload.word}} < "abd"', True),  # texts compare as texts
        ('{{payload.word}} == "abc"', True),
        ("{{payload.flag}} == true", True),
        ('{{payload.flag}} == "true"', True),
        ("{{payload.flag_text}} == true", True),
        ("{{payload.flag}} == 1", False),  # a boolean is not the number 1
        ("{{payload.none}} == null", True),
        ("{{payload.none}} != null", False),
        ('{{payload.none}} == ""', False),
        ("{{payload.obj}} == {{payload.obj}}", True),
        ('{{payload.tag}} contains "vip"', True),
        ('{{payload.tags}} contains "vip"', True),
        ('{{payload.tags}} contains "vi"', False),  # items, not substrings
        ('{{payload.tags}} contains "7"', True),
        ('{{payload.tags}} not contains "old"', True),
        ('{{payload.amount}} contains "5"', True),
        ('{{payload.tag}} startsWith "vip"', True),
        ('{{payload.tag}} endsWith "vip"', False),
        ("{{payload.tag}} exists", True),
        ("{{payload.nope}} exists", False),
        ("{{payload.none}} exists", False),
        ("{{payload.nope}} not exists", True),
        ("{{steps.fetch.output.status}} == 200", True),
        ("{{steps.skipped.output.status}} exists", False),  # a step that did not run is missing
        ("{{payload.empty}} empty and {{payload.no_items}} empty and {{payload.no_keys}} empty", True),
        ("{{payload.none}} empty and {{payload.nope}} empty", True),
        ("{{payload.amount}} not empty and {{payload.flag}} not empty", True),
        ('"{{payload.word}}-{{payload.amount}}" == "abc-150"', True),  # text around placeholders
        ("not ({{payload.amount}} > 100 or {{payload.word}} exists)", False),
        ("{{payload.nope}} exists and {{payload.nope}} > 1", False),  # short-circuits: never compared
        ("{{payload.tag}} exists or {{payload.nope}} > 1", True),
    ],
)
def test_text_conditions(text: str, expected: bool) -> None:
    assert _check(text) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (_rule("{{payload.amount_text}}", "equals", 150, "number"), True),
        (_rule("{{payload.amount}}", "gt", "99.5", "number"), True),
        (_rule("{{payload.tags}}", "contains", 7, "number"), True),
        (_rule("{{payload.amount}}", "equals", "150", "string"), True),
        (_rule("{{payload.amount}}", "lt", "2", "string"), True),  # "150" < "2" as texts
        (_rule("{{payload.tag}}", "not_contains", "gold", "string"), False),
        (_rule("{{payload.tag}}", "ends_with", "gold", "string"), True),
        (_rule("{{payload.flag_text}}", "equals", True, "boolean"), True),
        (_rule("{{payload.flag}}", "not_equals", "false", "boolean"), True),
        (_rule("{{payload.when}}", "equals", "2024-05-01T08:00:00Z", "date"), True),
        (_rule("{{payload.when}}", "gt", "{{payload.day}}", "date"), True),  # a date alone is midnight UTC
        (_rule("{{payload.day}}", "lte", "2024-05-01T00:00:00", "date"), True),  # no zone means UTC
        (_rule("{{payload.day}}", "lt", "2024-05-01T01:00:00+02:00", "date"), False),
        ({"left": "{{payload.nope}}", "op": "is_empty", "type": "number"}, True),
        ({"match": "any", "negate": True, "rules": [_rule(1, "equals", 2), _rule(1, "equals", 1)]}, False),
        ({"match": "all", "rules": [_rule(1, "equals", 1), {"rules": [_rule("a", "equals", "a")]}]}, True),
    ],
)
def test_json_conditions_with_types(rule: dict[str, Any], expected: bool) -> None:
    assert _check(rule) is expected


@pytest.mark.parametrize(
    ("condition", "where", "message"),
    [
        ({"rules": [_rule("{{payload.word}}", "gt", 5)]}, ".rules[0]", '"abc" is not a number'),
        ("{{payload.word}} > 5", " in `{{payload.word}} > 5`", '"abc" is not a number'),
        ({"rules": [_rule("{{payload.word}}", "equals", 1, "number")]}, ".rules[0]", '"abc" is not a number'),
        (_rule("{{payload.tags}}", "contains", "{{payload.word}}", "number"), "", '"abc" is not a number'),
        (_rule("{{payload.amount}}", "contains", 1, "number"), "", "contains with type number needs a list"),
        (_rule("{{payload.word}}", "equals", "2024-01-01", "date"), "", '"abc" is not a date (ISO 8601'),
        (_rule("{{payload.obj}}", "equals", "x", "string"), "", '{"a": 1} is not a text'),
        (_rule("{{payload.word}}", "equals", True, "boolean"), "", '"abc" is not a boolean'),
        ("{{payload.flag}} > 1", " in `{{payload.flag}} > 1`", "gt compares numbers, texts or dates, not true"),
        ("{{payload.none}} < 1", " in `{{payload.none}} < 1`", "lt compares numbers, texts or dates, not null"),
        ('{{payload.obj}} contains "a"', ' in `{{payload.obj}} contains "a"`', '{"a": 1} is not a text'),
        ("{{payload.nope}} > 1", " in `{{payload.nope}} > 1`", "{{payload.nope}} has no value here (test it"),
        ('"id {{payload.nope}}" == 1', ' in `"id {{payload.nope}}" == 1`', "missing value for {{payload.nope}}"),
    ],
)
def test_values_that_cannot_compare_fail_naming_the_place(condition: Any, where: str, message: str) -> None:
    with pytest.raises(ConditionFailure) as caught:
        _check(condition)
    assert caught.value.where == where
    assert caught.value.message.startswith(message)


def test_long_values_are_cut_short_in_messages() -> None:
    with pytest.raises(ConditionFailure) as caught:
        evaluate(parse_condition("{{payload.x}} > 1"), lambda text: "y" * 500)
    assert len(caught.value.message) < 80


@pytest.mark.parametrize(
    "evil",
    [
        'x" or true or "',
        "{{payload.amount}} > 0 or true",
        ") or (1 == 1",
        "{{getCredential('tok')}}",
        "1 == 1",
    ],
)
def test_a_value_that_looks_like_syntax_stays_a_value(evil: str) -> None:
    scope = Scope(payload={"name": evil, "amount": 5})

    def resolver(text: str) -> Any:
        return render_operand(text, scope)

    assert evaluate(parse_condition('{{payload.name}} == "alice"'), resolver) is False
    assert evaluate(parse_condition("{{payload.name}} == {{payload.name}}"), resolver) is True
    assert evaluate(parse_condition({"left": "{{payload.name}}", "op": "equals", "right": "bob"}), resolver) is False
    assert evaluate(parse_condition('{{payload.name}} contains "or true"'), resolver) is ("or true" in evil)


def test_the_payload_injection_from_the_brief() -> None:
    assert _check('{{payload.evil}} == "x"') is False
    assert _check("{{payload.evil}} == {{payload.evil}} and {{payload.amount}} > 1000") is False


def test_a_resolved_value_is_never_resolved_again() -> None:
    scope = Scope(payload={"a": "{{payload.secret}}", "secret": "s"})
    resolver = lambda text: render_operand(text, scope)  # noqa: E731
    assert evaluate(parse_condition('{{payload.a}} == "{{payload.secret}}"'), resolver) is False
    assert evaluate(parse_condition('{{payload.a}} endsWith "secret}}"'), resolver) is True
