"""The prototype's own documents (compat.md §1 and §2), shared by the tests that load them."""

from __future__ import annotations

from typing import Any

SLACK_URL = "https://hooks.example.test/T000/B000"
_EDGE = {
    "id": "e-begin-ping",
    "source": "begin",
    "target": "ping",
    "sourceHandle": None,
    "targetHandle": None,
    "data": {},
}


def prototype_file(**config: Any) -> dict[str, Any]:
    """The builder file of compat.md §1 (Start → Ping team); `config` overrides the HTTP config."""
    http_config = {"method": "POST", "url": SLACK_URL, "body": '{"text": "deploy finished"}', **config}
    return {
        "nodes": [
            {"id": "begin", "type": "start", "position": {"x": 40, "y": 60}, "data": {"label": "Start", "config": {}}},
            {
                "id": "ping",
                "type": "http",
                "position": {"x": 260, "y": 60},
                "data": {"label": "Ping team", "config": http_config},
            },
        ],
        "edges": [dict(_EDGE)],
        "meta": {"name": "Ping team", "version": 1, "exportedAt": "2026-01-02T03:04:05.000Z"},
        "metadata": {},
    }


def legacy_document(url: str = "https://api.example.test/tasks", *more_steps: dict[str, Any]) -> dict[str, Any]:
    """The legacy `definition.steps` document of compat.md §2."""
    step = {
        "type": "http_request_node",
        "config": {
            "method": "POST",
            "url": url,
            "headers": {"Authorization": "Bearer {{getCredential('tasksToken')}}"},
            "json_body": {"title": "{{payload.title}}"},
        },
    }
    return {"name": "Create task", "definition": {"steps": [step, *more_steps]}}
