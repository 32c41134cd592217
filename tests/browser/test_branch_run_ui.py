"""A real run of a branching workflow in the builder: the side not taken is greyed as skipped."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend.credentials.services import credential_create
from tests.browser import runs_fixtures
from tests.browser.helpers import button, open_builder
from tests.browser.runs_fixtures import AsgiServer
from tests.support.target import serving_target

pytestmark = pytest.mark.browser
asgi_server = runs_fixtures.asgi_server
runs_worker = runs_fixtures.runs_worker
runs_user = runs_fixtures.runs_user
signed_in = runs_fixtures.signed_in


def _node(page: Page, node_id: str) -> Any:
    return page.locator(f'[data-testid=canvas] g[data-node-id="{node_id}"]').first


def test_builder_run_of_order_triage_greys_the_branch_not_taken(
    asgi_server: AsgiServer, runs_worker: Any, runs_user: Any, signed_in: Callable[[str], Page]
) -> None:
    with serving_target() as target:
        hook = f"{target.url}/services/T0/B0/hook"
        credential_create(owner=runs_user, name="slackWebhook", kind="secret_text", value=hook)
        page = signed_in(asgi_server.url)
        open_builder(page)
        page.locator("#run-drawer-toggle").click()
        page.get_by_text("More ▾").click()
        button(page, "Order Triage").click()
        order = {"order": {"id": "A7", "amount": 500, "country": "DE"}}
        page.get_by_label("Run payload (a JSON object)").fill(json.dumps(order))
        page.get_by_test_id("run-button").click()
        expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=30_000)
        for taken in ("tidy", "big", "vip"):
            expect(_node(page, taken)).to_have_attribute("data-status", "succeeded")
        for skipped in ("region", "eu", "us", "other"):
            expect(_node(page, skipped)).to_have_attribute("data-status", "skipped")
        expect(page.locator('[data-testid=run-steps] li[data-node-id="region"]')).to_have_attribute(
            "data-status", "skipped"
        )
        posted = [json.loads(s.body) for s in target.seen if s.path == "/services/T0/B0/hook"]
    assert posted == [{"text": "Big order A7: 500"}]
