"""The Merge node: every delivered input's output under its node id, or only the first to arrive."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from backend.workflows.graph import compile_graph
from workers.executors.base import NodeContext
from workers.executors.merge import MergeConfig, MergeExecutor


def _run(mode: str, inputs: dict[str, Any]) -> dict[str, Any]:
    ctx = NodeContext(run_id="r", node_id="m", label="Merge", config={"mode": mode}, inputs=inputs)
    return MergeExecutor().run(ctx).output


def test_merge_all_keys_each_delivered_input_by_node_id() -> None:
    assert _run("all", {"a": {"x": 1}, "b": None, "c": {"y": 2}}) == {"inputs": {"a": {"x": 1}, "c": {"y": 2}}}


def test_merge_first_keeps_only_the_first_to_arrive() -> None:
    assert _run("first", {"c": {"y": 2}, "a": {"x": 1}}) == {"inputs": {"c": {"y": 2}}, "first": "c"}


def test_merge_config_and_spec() -> None:
    with pytest.raises(ValidationError):
        MergeConfig.model_validate({"mode": "any"})
    spec = MergeExecutor.spec
    assert spec.reads_inputs and spec.runs_on_first_input({"mode": "first"}) and not spec.runs_on_first_input({})
    graph = {"nodes": [{"id": "s", "type": "start"}, {"id": "m", "type": "merge", "config": {"mode": "first"}}],
             "edges": [{"source": "s", "target": "m"}]}  # fmt: skip
    assert compile_graph(graph)["nodes"][1]["config"] == {"mode": "first"}
