"""Playwright (sync) against Debian's Chromium and pytest-django's live_server; a logged-in builder page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "builder-pass-123"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def builder_user(transactional_db: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="builder", password=PASSWORD)


@pytest.fixture
def page(browser: Browser, live_server: Any, builder_user: Any) -> Iterator[Page]:
    """A page logged in through the login form, failing the test on any uncaught JS error."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, accept_downloads=True, base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and not _handled(msg.text) else None)
    page.on("dialog", lambda dialog: dialog.accept())  # beforeunload on reload
    page.goto("/login/")
    page.fill("#id_username", builder_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def _handled(text: str) -> bool:
    """Chromium logs every 4xx answer; the app shows those to the user, so they are not JS errors."""
    return text.startswith("Failed to load resource: the server responded with a status of 4")


def open_builder(page: Page, path: str = "/builder/?new=1") -> None:
    page.goto(path)
    page.wait_for_selector("body[data-builder-ready=true]")
