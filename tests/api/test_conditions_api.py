"""POST /v1/conditions/convert: rows to text and back with the engine's grammar; problems are 400s naming the place."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ROWS = {
    "match": "any",
    "rules": [
        {"left": "{{payload.amount}}", "op": "gt", "right": 100},
        {"left": "{{payload.tag}}", "op": "contains", "right": "vip"},
    ],
}
TEXT = '{{payload.amount}} > 100 or {{payload.tag}} contains "vip"'


def _convert(api: APIClient, body: Any) -> Any:
    return api.post("/v1/conditions/convert", body, format="json")


def test_condition_convert_rows_to_text(api: APIClient) -> None:
    response = _convert(api, {"condition": ROWS, "to": "text"})
    assert response.status_code == 200, response.content
    assert response.json() == {"condition": TEXT}


def test_condition_convert_text_to_rows(api: APIClient) -> None:
    response = _convert(api, {"condition": TEXT, "to": "rules"})
    assert response.status_code == 200, response.content
    rules = response.json()["condition"]
    assert rules["match"] == "any" and [r["op"] for r in rules["rules"]] == ["gt", "contains"]
    assert rules["rules"][0] == {"left": "{{payload.amount}}", "op": "gt", "right": 100, "type": "auto"}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"condition": "{{payload.a}} = 1", "to": "rules"}, "write == to compare"),
        ({"condition": {"left": "{{payload.n}}", "op": "gt", "right": 1, "type": "number"}, "to": "text"}, "rows"),
        ({"condition": TEXT, "to": "yaml"}, "text or rules"),
        ({"condition": TEXT}, "missing field"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_condition_convert_refuses_with_a_clear_400(api: APIClient, body: Any, needle: str) -> None:
    response = _convert(api, body)
    assert response.status_code == 400, response.content
    assert needle in response.json()["error"]["message"]


def test_condition_convert_needs_a_login() -> None:
    assert _convert(APIClient(), {"condition": TEXT, "to": "rules"}).status_code == 401
