"""The Slack node's webhook field in Chromium: a picker of secret_text credentials that writes the template."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend.credentials.services import credential_create
from tests.browser.helpers import button, node, open_builder, saved
from tests.browser.test_builder_ports import add_kind

pytestmark = pytest.mark.browser


def _config(file: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in file["nodes"] if n["id"] == node_id)["data"]["config"]


def test_slack_webhook_picker_lists_secret_text_credentials_and_writes_the_template(
    page: Page, builder_user: Any
) -> None:
    credential_create(owner=builder_user, name="opsHook", kind="secret_text", value="https://hooks.slack.test/T/B/x")
    credential_create(owner=builder_user, name="notionToken", kind="bearer_token", value="secret_notion_value")
    open_builder(page)
    button(page, "+ Start").click()
    add_kind(page, "Slack")
    node(page, "slack-1").click()
    picker = page.get_by_label("Webhook credential")
    expect(picker.locator("option")).to_have_count(2)  # the bearer token is not a webhook URL
    options = picker.locator("option").all_inner_texts()
    assert options[0] == "Choose a credential…" and options[1].startswith("opsHook")
    picker.select_option("opsHook")
    assert _config(saved(page), "slack-1")["webhook"] == "{{getCredential('opsHook')}}"
    node(page, "start").click()
    node(page, "slack-1").click()
    expect(page.get_by_label("Webhook credential")).to_have_value("opsHook")
