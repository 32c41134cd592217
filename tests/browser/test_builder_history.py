"""Builder in Chromium: the History panel (versions, read-only view, restore, failure workflow) and the
Run of a saved workflow through POST /v1/workflows/<id>/runs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import build_start_http, button, node, open_builder, saved

pytestmark = pytest.mark.browser
FIRST_URL = "https://api.example.test/first"
SECOND_URL = "https://api.example.test/second"


def _save_new(page: Page, name: str) -> str:
    page.get_by_test_id("canvas").click(position={"x": 20, "y": 20})
    page.locator("#inspector [name='workflow.name']").fill(name)
    button(page, "Save").click()
    page.wait_for_url(re.compile(r"/builder/[0-9a-f-]{36}/$"))
    return page.url.rstrip("/").rsplit("/", 1)[1]


def _url_of_http_node(page: Page) -> str:
    [http] = [n for n in saved(page)["nodes"] if n["id"] == "http-1"]
    return str(http["data"]["config"]["url"])


def test_builder_history_lists_views_and_restores_a_version(page: Page, builder_user: Any) -> None:
    from backend.workflows.models import Workflow
    from backend.workflows.services import workflow_create

    start = {"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "data": {}}
    alert = workflow_create(owner=builder_user, name="Alert team", graph={"nodes": [start], "edges": []})
    open_builder(page)
    expect(page.get_by_test_id("history-button")).to_be_hidden()  # an unsaved canvas has no versions
    build_start_http(page, FIRST_URL)
    workflow_id = _save_new(page, "Versioned flow")
    page.get_by_test_id("history-button").click()
    items = page.get_by_test_id("history-item")
    expect(items).to_have_count(1)
    node(page, "http-1").click()
    page.locator("#inspector input[name=url]").fill(SECOND_URL)
    button(page, "Save").click()
    expect(page.locator(".save-state")).to_have_text("All changes saved")
    expect(items).to_have_count(2)  # the open panel lists the version the save made
    expect(items.nth(0)).to_contain_text("Version 2")
    expect(items.nth(0)).to_contain_text("current")
    expect(items.nth(0)).to_contain_text("changed config of HTTP Request")
    expect(items.nth(0)).to_contain_text("builder")
    expect(items.nth(1)).to_contain_text("Version 1")

    # View draws version 1 read-only beside the canvas, which keeps the current graph
    items.nth(1).get_by_role("button", name="View").click()
    preview = page.get_by_test_id("version-preview")
    expect(preview).to_be_visible()
    expect(preview.locator("[data-node-id]")).to_have_count(2)
    assert _url_of_http_node(page) == SECOND_URL
    page.get_by_test_id("version-preview-back").click()
    expect(preview).to_be_hidden()

    # Restore asks first, then the canvas and the list show the restored graph as version 3
    items.nth(1).get_by_role("button", name="Restore").click()
    page.get_by_role("dialog").get_by_role("button", name="Restore").click()
    expect(page.locator("#toasts")).to_contain_text("Restored version 1 as version 3")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("restored version 1")
    assert _url_of_http_node(page) == FIRST_URL
    expect(page.locator(".save-state")).to_have_text("All changes saved")
    workflow = Workflow.objects.get(pk=workflow_id)
    assert workflow.version == 3
    assert workflow.graph["nodes"][1]["data"]["config"]["url"] == FIRST_URL

    # the failure workflow is chosen from the user's workflows and stored at once
    select = page.get_by_test_id("failure-workflow-select")
    expect(select.locator(f'option[value="{alert.pk}"]')).to_have_text("Alert team")
    select.select_option(str(alert.pk))
    expect(page.locator("#toasts")).to_contain_text("“Alert team” runs")
    assert Workflow.objects.get(pk=workflow_id).failure_workflow_id == alert.pk
    page.get_by_test_id("history-close").click()
    expect(page.get_by_test_id("history-panel")).to_have_count(0)


def test_builder_run_of_a_saved_workflow_posts_to_its_runs_url(page: Page, discard_dispatch: None) -> None:
    from backend.runs.models import Run

    open_builder(page)
    build_start_http(page, FIRST_URL)
    workflow_id = _save_new(page, "Run me")
    with page.expect_request(lambda r: r.method == "POST" and "/runs" in r.url) as posted:
        page.get_by_test_id("run-button").click()
    assert posted.value.url.endswith(f"/v1/workflows/{workflow_id}/runs")
    assert posted.value.post_data_json == {"payload": {}} or posted.value.post_data_json == {}
    expect(page.get_by_test_id("run-status")).not_to_have_text("Starting…")
    run = Run.objects.get(workflow_id=workflow_id)
    assert run.workflow_version == 1 and run.trigger == "manual"


def test_builder_run_of_a_saved_workflow_unlocks_the_vault_then_runs(
    page: Page, builder_user: Any, discard_dispatch: None
) -> None:
    from backend.credentials.passphrase_services import passphrase_set
    from backend.credentials.services import credential_create
    from backend.runs.models import Run
    from backend.workflows.services import workflow_create
    from tests.support.graphs import builder_file, chain, http_node, start_node

    passphrase = "correct horse battery"
    credential_create(owner=builder_user, name="notion", kind="bearer_token", value="sk_" + "x" * 20)
    passphrase_set(user=builder_user, new=passphrase)
    graph = builder_file(
        [start_node(), http_node("call", FIRST_URL, auth={"credentialName": "notion"})], chain("start", "call")
    )
    workflow = workflow_create(owner=builder_user, name="Protected", graph=graph)
    open_builder(page, f"/builder/{workflow.pk}/")
    page.get_by_test_id("run-button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text('credential "notion" needs its owner\'s passphrase')
    assert not Run.objects.exists()
    dialog.get_by_label("Vault passphrase").fill(passphrase)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/runs")) as posted:
        dialog.get_by_role("button", name="Unlock").click()
    assert posted.value.url.endswith(f"/v1/workflows/{workflow.pk}/runs")
    expect(page.locator(".run-panel__link")).to_be_visible()
    run = Run.objects.get(workflow=workflow)
    assert run.workflow_version == 1 and run.vault_grant is not None
