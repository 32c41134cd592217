"""The Branch node: one condition, the "true" or the "false" output, failures that name node and field."""

from __future__ import annotations

from typing import Any

import pytest

from workers.executors.base import NodeContext, NodeFailure
from workers.executors.branch import BranchConfig, BranchExecutor
from workers.executors.registry import canonical_kind, executor_for
from workers.templates import Scope, render_operand

PAYLOAD = {"amount": 150, "tag": "vip", "word": "abc", "name": 'x" or true or "'}


def _ctx(condition: Any, payload: dict[str, Any] | None = None) -> NodeContext:
    scope = Scope(payload=PAYLOAD if payload is None else payload, steps={"fetch": {"status": 404}})
    return NodeContext(
        run_id="run-1",
        node_id="if-big",
        label="If big",
        config={"condition": condition},
        resolve=lambda text: render_operand(text, scope),
    )


@pytest.mark.parametrize(
    ("condition", "result"),
    [
        ('{{payload.amount}} > 100 and {{payload.tag}} == "vip"', True),
        ("{{payload.amount}} > 1000", False),
        ("{{steps.fetch.output.status}} >= 400", True),
        ({"match": "any", "rules": [{"left": "{{payload.tag}}", "op": "equals", "right": "gold"}]}, False),
        ({"left": "{{payload.amount}}", "op": "gte", "right": "150", "type": "number"}, True),
        ("{{payload.missing}} exists", False),
    ],
)
def test_branch_takes_the_output_of_the_result(condition: Any, result: bool) -> None:
    outcome = BranchExecutor().run(_ctx(condition))
    assert outcome.output == {"result": result}
    assert outcome.ports == (("true",) if result else ("false",))


def test_branch_logs_the_result() -> None:
    lines: list[tuple[str, str, Any]] = []
    ctx = NodeContext(run_id="r", node_id="b", label="B", config={"condition": "1 == 1"})
    ctx.log = lambda level, message, data: lines.append((level, message, dict(data)))
    BranchExecutor().run(ctx)
    assert lines == [("info", "condition is true", {"result": True})]


def test_branch_a_payload_value_cannot_change_the_logic() -> None:
    assert BranchExecutor().run(_ctx('{{payload.name}} == "alice"')).output == {"result": False}


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            {"match": "all", "rules": [{"left": "{{payload.word}}", "op": "gt", "right": 5}]},
            'node "If big": condition.rules[0]: "abc" is not a number',
        ),
        ("{{payload.word}} > 5", 'node "If big": condition in `{{payload.word}} > 5`: "abc" is not a number'),
        ("{{payload.missing}} > 5", "{{payload.missing}} has no value here (test it with exists first)"),
        ("{{payload.amount}} >", 'node "If big": invalid config: condition: at character 21: expected a value'),
        (5, 'node "If big": invalid config: condition: a condition is a text such as'),
    ],
)
def test_branch_failures_name_node_and_field(condition: Any, message: str) -> None:
    with pytest.raises(NodeFailure) as caught:
        BranchExecutor().run(_ctx(condition))
    assert message in caught.value.message


def test_branch_config_needs_a_condition_and_nothing_else() -> None:
    with pytest.raises(NodeFailure, match="condition: Field required"):
        BranchExecutor().run(NodeContext(run_id="r", node_id="b", label="B", config={}))
    with pytest.raises(NodeFailure, match="extra: Extra inputs are not permitted"):
        BranchExecutor().run(
            NodeContext(run_id="r", node_id="b", label="B", config={"condition": "1 == 1", "extra": 1})
        )


def test_branch_spec_and_schema() -> None:
    spec = BranchExecutor.spec
    assert (spec.kind, spec.label, spec.inline) == ("branch", "Branch (if/else)", False)
    assert spec.output_names({"condition": "1 == 1"}) == ("true", "false")
    assert spec.output_names({"condition": "1 == 1", "on_error": "error_output"}) == ("true", "false", "error")
    assert canonical_kind("branch") == "branch" and isinstance(executor_for("branch"), BranchExecutor)
    schema = BranchConfig.model_json_schema()
    assert schema["required"] == ["condition"]
    assert set(schema["properties"]) == {"condition", "on_error", "note", "retries", "retry_backoff_s"}
    assert schema["properties"]["condition"]["x-widget"] == "condition"
