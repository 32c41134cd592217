"""API tokens page in Chromium: create shows the value once (copy button, warning), the list never shows
it, revoke asks first and the token is refused at once."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from backend.accounts.models import ApiToken

pytestmark = pytest.mark.browser


def test_tokens_page_creates_shows_once_and_revokes(page: Page, builder_user: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("nav.topnav >> text=API tokens")
    expect(page.locator("h1")).to_have_text("API tokens")
    page.click("#new-token")
    page.fill("dialog [name=name]", "ci")
    page.click("dialog button[type=submit]")
    value = page.get_by_test_id("token-value")
    expect(value).to_be_visible()
    raw = value.input_value()
    assert raw.startswith("aos_")
    expect(page.locator("dialog")).to_contain_text("only time it is shown")
    page.locator("dialog").get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator("#toasts")).to_contain_text("Token copied.")
    assert page.evaluate("navigator.clipboard.readText()") == raw
    page.locator("dialog").get_by_role("button", name="Done").click()
    row = page.locator("#token-rows tr", has_text="ci")
    expect(row).to_contain_text("active")
    assert raw not in page.content()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/v1/tokens").status_code == 200
    row.get_by_role("button", name="Revoke ci").click()
    expect(page.locator("dialog")).to_contain_text("stops working at once")
    page.click("dialog button[type=submit]")
    expect(page.locator("#token-rows tr", has_text="ci").get_by_test_id("revoked")).to_be_visible()
    assert ApiToken.objects.get(user=builder_user, name="ci").revoked_at is not None
    assert client.get("/v1/tokens").status_code == 401
