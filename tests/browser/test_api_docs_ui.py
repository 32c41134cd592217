"""Swagger UI at /v1/docs/ in Chromium: served from the app alone, renders every operation, and the
site's Content-Security-Policy (no inline scripts or styles) reports no violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_csp import RECORD_VIOLATIONS

pytestmark = pytest.mark.browser


def test_api_docs_render_the_operations_offline_with_no_csp_violation(browser: Browser, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url)  # signed out: the docs are public
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto("/v1/docs/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/v1/workflows" in summaries and "/v1/tokens/{token_id}" in summaries
    assert page.locator(".opblock").count() >= 20
    expect(page.locator(".btn.authorize")).to_be_visible()  # bearer and session schemes declared
    assert page.evaluate("window.__csp") == []
    assert not errors, errors
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested
    context.close()
