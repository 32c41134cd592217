"""Run-page browser fixtures: uvicorn serving the ASGI app (so websockets are live), a real worker, a session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.worker import child_env, running_worker, serving_web


@dataclass
class AsgiServer:
    url: str
    log: Path


@pytest.fixture
def asgi_server(transactional_db: Any) -> Iterator[AsgiServer]:
    """The web server serving the real ASGI app (pages, static files, websockets) against the test database."""
    log = Path(tempfile.NamedTemporaryFile(prefix="aos-web-", suffix=".log", delete=False).name)  # noqa: SIM115
    with serving_web(child_env({"AUTOMATEOS_WS_POLL_INTERVAL_S": "0.25"}), log) as url:
        yield AsgiServer(url=url, log=log)


@pytest.fixture
def runs_worker(transactional_db: Any) -> Iterator[Any]:
    """A real Celery worker on this test's database; stale broker messages are dropped first."""
    redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")).flushdb()
    with running_worker(concurrency=4) as proc:
        yield proc


@pytest.fixture
def runs_user(transactional_db: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="watcher", password="watcher-pass-123")


def session_context(browser: Browser, base_url: str, user: Any) -> BrowserContext:
    """A browser context already signed in as `user` (the session row lives in the shared test DB)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=base_url)
    host = base_url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    return context


def _unexpected(msg: Any) -> bool:
    # A socket refused by a server without websockets is the polling fallback's cue, not a bug; a 4xx
    # answer (Chromium logs each one) is shown to the user by the page.
    expected = ("WebSocket connection to", "Failed to load resource: the server responded with a status of 4")
    return bool(msg.type == "error" and not msg.text.startswith(expected))


@pytest.fixture
def signed_in(browser: Browser, runs_user: Any) -> Iterator[Callable[[str], Page]]:
    """`signed_in(base_url)` → a page signed in as `runs_user`; fails the test on any JS error."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_page(base_url: str) -> Page:
        context = session_context(browser, base_url, runs_user)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if _unexpected(msg) else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
