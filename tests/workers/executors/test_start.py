"""The Start node: its output is the run payload; its config takes no keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from workers.executors.base import NodeContext
from workers.executors.registry import canonical_kind, executor_for
from workers.executors.start import StartConfig, StartExecutor


def test_start_outputs_the_payload() -> None:
    ctx = NodeContext(run_id="r", node_id="begin", label="Start", config={}, payload={"title": "hi"})
    assert StartExecutor().run(ctx).output == {"payload": {"title": "hi"}}


def test_start_config_rejects_any_key() -> None:
    StartConfig.model_validate({})
    with pytest.raises(ValidationError):
        StartConfig.model_validate({"x": 1})


def test_start_is_inline_and_registered() -> None:
    assert StartExecutor.spec.inline
    assert canonical_kind("start") == "start"
    assert isinstance(executor_for("start"), StartExecutor)


def test_http_alias_resolves_to_http() -> None:
    assert canonical_kind("http_request_node") == "http"
    assert canonical_kind("nope") is None
