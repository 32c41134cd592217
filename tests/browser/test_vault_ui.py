"""The vault passphrase in the browser: set it (warned first), lock and unlock, and the builder's dialog."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend.credentials.models import Credential
from backend.credentials.passphrase_services import passphrase_set
from backend.credentials.services import credential_create
from backend.runs.models import Run
from tests.browser import runs_fixtures
from tests.browser.helpers import open_builder
from tests.browser.runs_fixtures import AsgiServer
from tests.support.target import serving_target

pytestmark = pytest.mark.browser
signed_in = runs_fixtures.signed_in
asgi_server = runs_fixtures.asgi_server
runs_worker = runs_fixtures.runs_worker
runs_user = runs_fixtures.runs_user

PASS = "correct horse battery"


def test_vault_card_warns_before_setting_then_locks_and_unlocks(page: Page, builder_user: Any) -> None:
    credential_create(owner=builder_user, name="notion", kind="bearer_token", value="secret_" + "n" * 20)
    page.goto("/credentials/")
    card = page.get_by_test_id("vault-card")
    expect(page.get_by_test_id("vault-state")).to_contain_text("No vault passphrase")
    card.get_by_test_id("vault-set").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Nobody can recover a forgotten passphrase")
    dialog.get_by_label("New passphrase", exact=True).fill(PASS)
    dialog.get_by_label("Repeat the new passphrase").fill(PASS + "x")
    dialog.get_by_role("button", name="Set passphrase").click()
    expect(dialog.get_by_role("alert")).to_have_text("The two new passphrases differ.")
    dialog.get_by_label("New passphrase", exact=True).fill(PASS)
    dialog.get_by_label("Repeat the new passphrase").fill(PASS)
    dialog.get_by_role("button", name="Set passphrase").click()
    expect(page.get_by_test_id("vault-state")).to_contain_text("1 credential(s) protected by your passphrase. Locked")
    row = page.locator('[data-credential-id] >> text="notion"').locator("xpath=ancestor::tr")
    expect(row.get_by_test_id("protected")).to_have_text("passphrase")
    expect(row.locator(".masked")).to_have_text("••••••••")
    assert Credential.objects.get(name="notion").protected

    card.get_by_test_id("vault-unlock-button").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Vault passphrase").fill("not the passphrase")
    dialog.get_by_role("button", name="Unlock").click()
    expect(dialog.get_by_role("alert")).to_contain_text("is not correct")
    dialog.get_by_label("Vault passphrase").fill(PASS)
    dialog.get_by_role("button", name="Unlock").click()
    expect(page.get_by_test_id("vault-state")).to_contain_text(re.compile(r"Unlocked in this session until"))
    card.get_by_test_id("vault-lock").click()
    expect(page.get_by_test_id("vault-state")).to_contain_text("Locked")
    assert PASS not in page.content()
    storage = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    assert PASS not in storage


def test_builder_run_asks_for_the_passphrase_once_then_runs(
    asgi_server: AsgiServer, runs_worker: Any, runs_user: Any, signed_in: Callable[[str], Page]
) -> None:
    token = "XsEcReTvAuLt4242"
    with serving_target() as target:
        credential_create(
            owner=runs_user, name="slackWebhook", kind="secret_text", value=f"{target.url}/services/T0/B0/{token}"
        )
        passphrase_set(user=runs_user, new=PASS)
        page = signed_in(asgi_server.url)
        open_builder(page)
        page.locator("#run-drawer-toggle").click()
        page.get_by_role("button", name="Slack Template").click()
        page.get_by_label("Run payload (a JSON object)").fill('{"message": "hello"}')
        page.get_by_test_id("run-button").click()

        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text('vault locked: credential "slackWebhook" needs its owner\'s passphrase')
        assert target.seen == [] and not Run.objects.exists()  # refused before anything was stored or sent
        dialog.get_by_label("Vault passphrase").fill(PASS)
        dialog.get_by_role("button", name="Unlock").click()
        status = page.get_by_test_id("run-status")
        expect(status).to_have_attribute("data-status", "succeeded", timeout=30_000)
        assert [s.path for s in target.seen] == [f"/services/T0/B0/{token}"]

        # The unlock lasts for the login session: the next run asks nothing.
        page.get_by_test_id("run-button").click()
        expect(page.locator(".run-panel__link")).to_be_visible()
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(status).to_have_attribute("data-status", "succeeded", timeout=30_000)
        assert Run.objects.count() == 2
        assert PASS not in page.content() and token not in page.content()
