"""The starter workflows of examples/, and running one as a saved workflow through the inline engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rest_framework.test import APIClient

from tests.support.inline import InlineDispatcher

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


def run_example(
    api: APIClient, engine: InlineDispatcher, file: dict[str, Any], payload: dict[str, Any]
) -> dict[str, Any]:
    """Save `file`, run it with `payload`, drain the engine; the run document."""
    created = api.post("/v1/workflows", file, format="json")
    assert created.status_code == 201, created.content
    started = api.post("/v1/runs", {"workflowId": created.json()["id"], "payload": payload}, format="json")
    assert started.status_code in (201, 202), started.content
    engine.drain()
    return api.get(f"/v1/runs/{started.json()['runId']}").json()
