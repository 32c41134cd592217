"""The condition language's canonical JSON form, and the `Condition` field type the configs use."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from workers.conditions import Condition, ConditionError, Group, Rule, parse_condition, to_canonical
from workers.conditions.schema import CONDITION_WIDGET

RULE = {"left": "{{payload.amount}}", "op": "gt", "right": 100, "type": "number"}


class _Config(BaseModel):
    condition: Condition = Field(title="Condition", json_schema_extra=CONDITION_WIDGET)


def test_a_rule_and_a_group_read_into_the_tree_with_their_places() -> None:
    tree = parse_condition({"match": "any", "rules": [RULE, {"rules": [{"left": "{{a}}", "op": "exists"}]}]})
    assert isinstance(tree, Group) and tree.match == "any" and not tree.negate and tree.where == ""
    first, inner = tree.rules
    assert first == Rule(left="{{payload.amount}}", op="gt", right=100, type="number", where=".rules[0]")
    assert isinstance(inner, Group) and inner.match == "all"
    assert inner.rules[0].where == ".rules[1].rules[0]"


def test_canonical_round_trip_fills_defaults() -> None:
    value = {"rules": [{"left": "{{a}}", "op": "exists", "right": "ignored"}, {"left": 1, "op": "equals", "right": 1}]}
    assert to_canonical(parse_condition(value)) == {
        "match": "all",
        "rules": [
            {"left": "{{a}}", "op": "exists", "type": "auto"},
            {"left": 1, "op": "equals", "right": 1, "type": "auto"},
        ],
        "negate": False,
    }
    canonical = to_canonical(parse_condition(value))
    assert to_canonical(parse_condition(canonical)) == canonical


def test_the_builders_row_ids_are_allowed() -> None:
    parse_condition({"id": "g1", "match": "all", "rules": [{**RULE, "id": "r1"}]})


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ({"match": "all", "rules": [RULE, {**RULE, "op": "gt="}]}, 'rules[1].op: unknown operator "gt="'),
        ({**RULE, "type": "money"}, 'type: unknown type "money"'),
        ({"rules": [{**RULE, "type": "boolean"}]}, 'rules[0].op: gt does not apply to type "boolean"'),
        ({"rules": [{**RULE, "op": "starts_with"}]}, 'rules[0].op: starts_with does not apply to type "number"'),
        ({"rules": [{**RULE, "right": "abc"}]}, 'rules[0].right: "abc" is not a number'),
        ({"rules": [{**RULE, "type": "date", "right": "soon"}]}, 'rules[0].right: "soon" is not a date'),
        ({"rules": [{**RULE, "type": "boolean", "op": "equals", "right": "yes"}]}, "is not a boolean"),
        ({"rules": [{"left": "{{a}}", "op": "equals"}]}, "rules[0].right: required for equals"),
        ({"rules": [{"op": "exists"}]}, "rules[0].left: required for exists"),
        ({"rules": [{**RULE, "colour": "red"}]}, "rules[0].colour: unknown key"),
        ({"rules": [RULE], "match": "most"}, 'match: expected "all" or "any", not "most"'),
        ({"rules": [RULE], "negate": "yes"}, "negate: expected true or false"),
        ({"rules": []}, "rules: expected a list of at least one rule or group"),
        ({"rules": {"a": RULE}}, "rules: expected a list"),
        ({"rules": [RULE, 5]}, "rules[1]: expected a rule or a group (an object), not 5"),
        ({"left": 1}, 'condition: expected a rule (with "op") or a group (with "rules")'),
        ({"rules": [{**RULE, "left": "{{pay load}}"}]}, "rules[0].left: invalid template expression"),
        ({"rules": [{**RULE, "left": "{{getCredential('k')}}"}]}, "credentials cannot be used in conditions"),
        ({"rules": [{**RULE, "left": "{{payload.a"}]}, "rules[0].left: unclosed {{"),
        (5, "a condition is a text such as"),
        (None, "a condition is a text such as"),
        (["{{a}} exists"], "a condition is a text such as"),
    ],
)
def test_refusals_name_the_place(value: Any, needle: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(value)
    assert needle in str(caught.value)


def test_groups_nest_at_most_sixteen_deep_and_hold_at_most_200_rules() -> None:
    deep: dict[str, Any] = {"rules": [RULE]}
    for _ in range(16):
        deep = {"rules": [deep]}
    with pytest.raises(ConditionError, match="nested deeper than 16"):
        parse_condition(deep)
    with pytest.raises(ConditionError, match="more than 200 rules"):
        parse_condition({"rules": [RULE] * 201})


def test_the_field_keeps_what_was_written_and_refuses_with_a_clear_message() -> None:
    text = '{{payload.amount}} > 100 and {{payload.tag}} contains "vip"'
    assert _Config.model_validate({"condition": text}).model_dump(mode="json") == {"condition": text}
    group = {"match": "all", "rules": [RULE]}
    assert _Config.model_validate({"condition": group}).model_dump(mode="json") == {"condition": group}
    with pytest.raises(ValidationError) as caught:
        _Config.model_validate({"condition": {"rules": [RULE, {**RULE, "op": "gt="}]}})
    (error,) = caught.value.errors(include_url=False)
    assert error["type"] == "invalid_condition" and error["loc"] == ("condition",)
    assert error["msg"].startswith('rules[1].op: unknown operator "gt="')


def test_the_json_schema_describes_rows_for_the_builder() -> None:
    schema = _Config.model_json_schema()
    field = schema["properties"]["condition"]
    assert field["x-widget"] == "condition"
    assert [option.get("type") or option["$ref"] for option in field["anyOf"]] == [
        "string",
        "#/$defs/ConditionGroup",
        "#/$defs/ConditionRule",
    ]
    rule = schema["$defs"]["ConditionRule"]
    assert rule["required"] == ["left", "op"]
    assert "not_empty" in rule["properties"]["op"]["enum"] and "date" in rule["properties"]["type"]["enum"]
    group = schema["$defs"]["ConditionGroup"]["properties"]
    assert group["match"]["enum"] == ["all", "any"] and group["rules"]["minItems"] == 1
