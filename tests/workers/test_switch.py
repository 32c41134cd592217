"""The Switch node: named cases in order, the first or every match, "default" when none match."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from workers.executors.base import NodeContext, NodeFailure
from workers.executors.registry import canonical_kind, executor_for
from workers.executors.switch import SwitchConfig, SwitchExecutor
from workers.templates import Scope, render_operand

CASES = [
    {"name": "big", "condition": "{{payload.amount}} > 1000"},
    {"name": "vip", "condition": '{{payload.tags}} contains "vip"'},
    {"name": "refund", "condition": {"left": "{{payload.amount}}", "op": "lt", "right": 0, "type": "number"}},
]


def _ctx(config: dict[str, Any], payload: dict[str, Any]) -> NodeContext:
    scope = Scope(payload=payload)
    return NodeContext(
        run_id="run-1",
        node_id="route",
        label="Route",
        config=config,
        resolve=lambda text: render_operand(text, scope),
    )


@pytest.mark.parametrize(
    ("mode", "payload", "matched"),
    [
        ("first", {"amount": 5000, "tags": ["vip"]}, ["big"]),
        ("all", {"amount": 5000, "tags": ["vip"]}, ["big", "vip"]),
        ("first", {"amount": 5, "tags": ["vip"]}, ["vip"]),
        ("all", {"amount": -5, "tags": ["vip"]}, ["vip", "refund"]),
        ("all", {"amount": 5, "tags": []}, []),
    ],
)
def test_switch_takes_the_matching_cases_or_default(mode: str, payload: dict[str, Any], matched: list[str]) -> None:
    result = SwitchExecutor().run(_ctx({"cases": CASES, "mode": mode}, payload))
    assert result.output == {"matched": matched}
    assert result.ports == (tuple(matched) or ("default",))


def test_switch_mode_defaults_to_first_and_stops_evaluating() -> None:
    # The second case would fail ("abc" > 1), but the first one matched.
    cases = [{"name": "a", "condition": "1 == 1"}, {"name": "b", "condition": "{{payload.word}} > 1"}]
    assert SwitchExecutor().run(_ctx({"cases": cases}, {"word": "abc"})).ports == ("a",)


def test_switch_failure_names_node_case_and_rule() -> None:
    cases = [
        {"name": "a", "condition": "1 == 2"},
        {"name": "b", "condition": {"rules": [{"left": "{{payload.word}}", "op": "lt", "right": 1}]}},
    ]
    with pytest.raises(NodeFailure) as caught:
        SwitchExecutor().run(_ctx({"cases": cases}, {"word": "abc"}))
    assert caught.value.message == 'node "Route": cases[1].condition.rules[0]: "abc" is not a number'


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({"cases": []}, "at least 1 item"),
        ({"cases": [{"name": "default", "condition": "1 == 1"}]}, '"default" is the output taken when no case matches'),
        ({"cases": [{"name": "Default", "condition": "1 == 1"}]}, '"default" is the output'),
        ({"cases": [{"name": "a b", "condition": "1 == 1"}]}, "a case name is 1–40 letters, digits, _ or -"),
        ({"cases": [{"name": "x" * 41, "condition": "1 == 1"}]}, "a case name is 1–40"),
        ({"cases": [{"name": "", "condition": "1 == 1"}]}, "a case name is 1–40"),
        (
            {"cases": [{"name": "a", "condition": "1 == 1"}, {"name": "a", "condition": "1 == 2"}]},
            'two cases are named "a"',
        ),
        ({"cases": [{"name": "a", "condition": "1 =="}]}, "expected a value after =="),
        ({"cases": [{"name": "a"}]}, "Field required"),
        ({"cases": [{"name": "a", "condition": "1 == 1"}], "mode": "some"}, "'first' or 'all'"),
        ({"cases": [{"name": f"c{i}", "condition": "1 == 1"} for i in range(51)]}, "at most 50 items"),
    ],
)
def test_switch_config_refusals(config: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SwitchConfig.model_validate(config)
    assert needle in str(caught.value)


def test_switch_spec_names_its_outputs_from_the_cases() -> None:
    spec = SwitchExecutor.spec
    assert (spec.kind, spec.inline, spec.outputs_from, spec.outputs) == ("switch", False, "cases", ("default",))
    assert spec.output_names({"cases": CASES}) == ("big", "vip", "refund", "default")
    assert canonical_kind("switch") == "switch" and isinstance(executor_for("switch"), SwitchExecutor)
    schema = SwitchConfig.model_json_schema()
    case = schema["$defs"]["SwitchCase"]["properties"]
    assert case["condition"]["x-widget"] == "condition"
    assert case["name"]["pattern"] == "[A-Za-z0-9_-]{1,40}"
