"""The Transform node: a source object, then keep → drop → rename → set by dotted paths; clear refusals."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from workers.executors.base import NodeContext, NodeFailure
from workers.executors.registry import canonical_kind, executor_for
from workers.executors.transform import TransformExecutor
from workers.executors.transform_config import TransformConfig
from workers.templates import Scope, render_config

PAYLOAD: dict[str, Any] = {
    "id": 7,
    "customer": {"name": "Ada", "email": "ada@example.test", "tags": ["vip"]},
    "total": "12.50",
    "internal": {"trace": "x"},
}
FETCH = {"status": 200, "body": {"items": [1, 2], "next": None}}


def _run(config: dict[str, Any], payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """The way the engine runs it: the config's templates rendered first, then the executor."""
    payload = PAYLOAD if payload is None else payload
    rendered = render_config(config, Scope(payload=payload, steps={"fetch": FETCH}))
    ctx = NodeContext(run_id="run-1", node_id="shape", label="Shape", config=rendered, payload=payload)
    return TransformExecutor().run(ctx).output


def test_transform_without_steps_is_a_copy_of_the_payload() -> None:
    payload = {"a": {"b": 1}}
    output = _run({}, payload)
    assert output == payload
    output["a"]["b"] = 2
    assert payload == {"a": {"b": 1}}  # the payload itself is never changed


def test_transform_keep_paths_builds_nested_objects() -> None:
    output = _run({"keep": ["id", "customer.email", "customer.missing", "nope.deeper"]})
    assert output == {"id": 7, "customer": {"email": "ada@example.test"}}


def test_transform_applies_keep_drop_rename_set_in_that_order() -> None:
    config = {
        "keep": "all",
        "drop": ["internal", "customer.tags", "not.there"],
        "rename": [{"from": "customer.name", "to": "contact.full_name"}, {"from": "absent", "to": "x"}],
        "set": [
            {"name": "contact.full_name", "value": "{{payload.customer.name}} Lovelace"},
            {"name": "amount", "value": "{{payload.total}}"},
            {"name": "items", "value": "{{steps.fetch.output.body.items}}"},
            {"name": "flags.ok", "value": True},
            {"name": "empty"},
        ],
    }
    assert _run(config) == {
        "id": 7,
        "customer": {"email": "ada@example.test"},
        "total": "12.50",
        "contact": {"full_name": "Ada Lovelace"},
        "amount": "12.50",
        "items": [1, 2],  # one placeholder keeps the value's type
        "flags": {"ok": True},
        "empty": None,
    }


def test_transform_source_from_an_upstream_step_and_keep_none() -> None:
    assert _run({"source": "{{steps.fetch.output.body}}", "keep": ["items"]}) == {"items": [1, 2]}
    assert _run({"source": "{{steps.fetch.output}}", "keep": "none", "set": [{"name": "n", "value": 1}]}) == {"n": 1}
    assert _run({"source": {"literal": True}}) == {"literal": True}


def test_transform_set_values_are_copies() -> None:
    output = _run({"keep": "none", "set": [{"name": "c", "value": "{{payload.customer}}"}]})
    output["c"]["name"] = "changed"
    assert PAYLOAD["customer"]["name"] == "Ada"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"set": [{"name": "id.value", "value": 1}]},
            'node "Shape": set[0].name: "id" is a number, not an object, so "id.value" cannot be set',
        ),
        (
            {"rename": [{"from": "id", "to": "customer.tags.first"}]},
            'node "Shape": rename[0].to: "customer.tags" is a list, not an object',
        ),
        (
            {"source": "{{steps.fetch.output.body.items}}"},
            'node "Shape": invalid config: source: the source must give an object, not a list',
        ),
    ],
)
def test_transform_failures_name_node_and_field(config: dict[str, Any], message: str) -> None:
    with pytest.raises(NodeFailure) as caught:
        _run(config)
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize(
    ("config", "loc", "needle"),
    [
        ({"source": "x {{payload.a}}"}, ("source",), "the source is an object or one {{placeholder}}"),
        ({"source": 5}, ("source",), "the source is an object or one {{placeholder}}"),
        ({"keep": "some"}, ("keep",), 'keep is "all", "none" or a list of dotted paths'),
        ({"keep": ["a", "b..c"]}, ("keep",), '[1]: a path is names joined by dots, such as "customer.email"'),
        ({"keep": ["a", 3]}, ("keep",), "[1]: a path is a text"),
        ({"drop": [""]}, ("drop", 0), "a path is names joined by dots"),
        ({"drop": ["a." + "b" * 200]}, ("drop", 0), "at most 200 characters"),
        ({"set": [{"name": "{{payload.key}}", "value": 1}]}, ("set", 0, "name"), "cannot hold a {{placeholder}}"),
        ({"set": [{"value": 1}]}, ("set", 0, "name"), "Field required"),
        ({"rename": [{"from": "a"}]}, ("rename", 0, "to"), "Field required"),
        ({"rename": [{"from": "a", "to": "b", "x": 1}]}, ("rename", 0, "x"), "Extra inputs"),
        ({"filter": 1}, ("filter",), "Extra inputs"),
    ],
)
def test_transform_config_refusals(config: dict[str, Any], loc: tuple[Any, ...], needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TransformConfig.model_validate(config)
    error = caught.value.errors(include_url=False)[0]
    assert error["loc"] == loc and needle in error["msg"]


def test_transform_config_is_stored_with_from_spelled_as_written() -> None:
    config = {"rename": [{"from": "a", "to": "b"}], "set": [{"name": "x", "value": "{{payload.id}}"}]}
    stored = TransformConfig.model_validate(config).model_dump(mode="json", exclude_unset=True, exclude_none=True)
    assert stored == config
    assert TransformConfig.model_validate(stored, context={"resolved": True}).rename[0].from_ == "a"


def test_transform_spec_and_schema() -> None:
    spec = TransformExecutor.spec
    assert (spec.kind, spec.label, spec.inline, spec.outputs) == ("transform", "Transform (set fields)", False, ())
    assert canonical_kind("transform") == "transform" and isinstance(executor_for("transform"), TransformExecutor)
    properties = TransformConfig.model_json_schema()["properties"]
    assert set(properties) == {
        "source",
        "keep",
        "drop",
        "rename",
        "set",
        "on_error",
        "note",
        "retries",
        "retry_backoff_s",
    }
    assert properties["keep"]["anyOf"][0]["enum"] == ["all", "none"]
