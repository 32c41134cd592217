"""The builder's Triggers panel: enable a webhook (URL, made-up secret shown once, new URL), set, check
and pause a schedule with its next three runs; an unsaved workflow is told to save first."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend.runs.models import Run
from backend.triggers.models import Schedule, Webhook
from backend.workflows.services import workflow_create
from tests.browser.helpers import open_builder
from tests.support.graphs import builder_file, start_node

pytestmark = pytest.mark.browser


def _saved(user: Any) -> Any:
    return workflow_create(owner=user, name="Triggered", graph=builder_file([start_node()], [], name="Triggered"))


def test_triggers_panel_enables_a_signed_webhook_and_makes_a_new_url(
    page: Page, builder_user: Any, live_server: Any
) -> None:
    workflow = _saved(builder_user)
    open_builder(page, f"/builder/{workflow.pk}/")
    page.get_by_test_id("triggers-button").click()
    panel = page.get_by_test_id("triggers-panel")
    panel.get_by_test_id("webhook-enable").click()
    url = panel.get_by_test_id("webhook-url")
    expect(url).to_have_value(f"{live_server.url}/hooks/{url.input_value().rsplit('/', 1)[1]}")
    first_url = url.input_value()
    panel.get_by_label("Signature", exact=True).select_option("github")
    panel.get_by_label("Deduplication header").fill("X-GitHub-Delivery")
    panel.get_by_test_id("webhook-save").click()
    secret = panel.get_by_test_id("webhook-new-secret")
    expect(secret).to_be_visible()
    assert secret.input_value().startswith("whsec_")
    hook = Webhook.objects.get(workflow=workflow)
    assert hook.signature == "github" and hook.dedup_header == "X-GitHub-Delivery"
    assert httpx.post(first_url, json={}).status_code == 401  # unsigned: refused, as configured
    panel.get_by_test_id("webhook-regenerate").click()  # the page's dialog handler confirms
    expect(url).not_to_have_value(first_url)
    assert httpx.post(first_url, json={}).status_code == 404
    expect(panel.get_by_label("Secret")).to_have_attribute("placeholder", f"set ({hook.secret_masked})")
    assert not Run.objects.exists()


def test_triggers_panel_sets_checks_and_pauses_a_schedule(page: Page, builder_user: Any) -> None:
    workflow = _saved(builder_user)
    open_builder(page, f"/builder/{workflow.pk}/")
    page.get_by_test_id("triggers-button").click()
    section = page.get_by_test_id("triggers-schedule")
    section.get_by_label("Cron (minute hour day month weekday)").fill("0 9 * 13 *")
    section.get_by_label("Time zone").fill("America/New_York")
    section.get_by_test_id("schedule-save").click()
    expect(section.locator(".field__error")).to_contain_text("field month")
    section.get_by_label("Cron (minute hour day month weekday)").fill("0 9 * * *")
    section.get_by_test_id("schedule-save").click()
    items = section.get_by_test_id("schedule-next").locator("li")
    expect(items).to_have_count(3)
    expect(section).not_to_contain_text("null")
    isos = [items.nth(i).get_attribute("data-iso") for i in range(3)]
    assert all(iso and iso[11:16] in ("13:00", "14:00") for iso in isos), isos  # 9:00 in New York, in UTC
    section.get_by_test_id("schedule-enabled").uncheck()
    section.get_by_test_id("schedule-save").click()
    expect(section).to_contain_text("Paused: no runs")
    schedule = Schedule.objects.get(workflow=workflow)
    assert not schedule.enabled and schedule.periodic_task is not None and not schedule.periodic_task.enabled


def test_triggers_panel_on_an_unsaved_workflow_asks_to_save_first(page: Page) -> None:
    open_builder(page)
    page.get_by_test_id("triggers-button").click()
    expect(page.get_by_test_id("triggers-unsaved")).to_contain_text("Save the workflow first")
    page.get_by_test_id("triggers-close").click()
    expect(page.get_by_test_id("triggers-panel")).to_have_count(0)
