"""Writes docs/builder.png (1400x900) when AUTOMATEOS_SCREENSHOT=1: the builder with a workflow on it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import node, open_builder

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
WORKFLOW = {
    "nodes": [
        {"id": "start", "type": "start", "position": {"x": 32, "y": 192}, "data": {"label": "New order", "config": {}}},
        {
            "id": "fetch",
            "type": "http",
            "position": {"x": 320, "y": 192},
            "data": {
                "label": "Fetch order",
                "config": {"method": "GET", "url": "https://shop.example.com/api/orders/{{payload.orderId}}"},
            },
        },
        {
            "id": "slack",
            "type": "http",
            "position": {"x": 608, "y": 96},
            "data": {
                "label": "Notify #sales",
                "config": {
                    "method": "POST",
                    "url": "{{getCredential('slackWebhook')}}",
                    "headers": {"Content-Type": "application/json"},
                    "body": '{"text": "New order {{payload.orderId}} for {{steps.fetch.output.body.total}}"}',
                },
            },
        },
        {
            "id": "notion",
            "type": "http",
            "position": {"x": 608, "y": 304},
            "data": {
                "label": "Log in Notion",
                "config": {
                    "method": "POST",
                    "url": "https://api.notion.com/v1/pages",
                    "headers": {"Notion-Version": "2022-06-28"},
                    "auth": {"credentialName": "notionToken"},
                    "json_body": {"parent": {"database_id": "{{vars.ordersDb}}"}},
                },
            },
        },
    ],
    "edges": [
        {"id": "e-start-fetch", "source": "start", "target": "fetch"},
        {"id": "e-fetch-slack", "source": "fetch", "target": "slack"},
        {"id": "e-fetch-notion", "source": "fetch", "target": "notion"},
    ],
    "meta": {"name": "Order notifications", "version": 1},
    "vars": {"ordersDb": "8f1c0e2a"},
}


@pytest.mark.skipif(os.environ.get("AUTOMATEOS_SCREENSHOT") != "1", reason="set AUTOMATEOS_SCREENSHOT=1 to refresh")
def test_builder_screenshot(page: Page, tmp_path: Path) -> None:
    page.request.post(
        "/v1/credentials",
        data={"name": "notionToken", "kind": "bearer_token", "value": "secret_notion_abcdef123456"},
        headers={"X-CSRFToken": next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")},
    )
    open_builder(page)
    path = tmp_path / "order-notifications-v1.json"
    path.write_text(json.dumps(WORKFLOW))
    page.get_by_test_id("import-input").set_input_files(str(path))
    expect(node(page, "notion")).to_be_visible()
    page.locator("#toasts .toast__close").first.click()
    node(page, "notion").click()
    page.locator("#zoom-fit").click()
    page.mouse.move(5, 5)
    page.wait_for_timeout(300)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "builder.png"))
