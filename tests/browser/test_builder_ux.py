"""The builder as a newcomer meets it: icons, new nodes in view, Clear, the run drawer, free names on import."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend.workflows.models import Workflow
from tests.browser.helpers import button, drag, node, open_builder

pytestmark = pytest.mark.browser


def _inside(inner: Any, outer: Any) -> bool:
    a, b = inner.bounding_box(), outer.bounding_box()
    assert a and b
    return (
        a["x"] >= b["x"]
        and a["y"] >= b["y"]
        and a["x"] + a["width"] <= b["x"] + b["width"]
        and (a["y"] + a["height"] <= b["y"] + b["height"])
    )


def test_builder_template_buttons_draw_svg_icons_with_plain_names(page: Page) -> None:
    open_builder(page)
    for name in ("Slack Template", "Notion Template"):
        icon = button(page, name).locator("svg")
        expect(icon).to_be_visible()
        box = icon.bounding_box()
        assert box and box["width"] >= 10 and box["height"] >= 10
        assert icon.locator("path").count() >= 2  # drawn lines, not a glyph a font may lack


def test_builder_new_http_node_has_an_empty_url_with_a_placeholder(page: Page) -> None:
    open_builder(page)
    button(page, "+ HTTP").click()
    url = page.locator("#inspector [name=url]")
    expect(url).to_have_value("")
    assert url.get_attribute("placeholder")
    expect(page.locator("#inspector")).to_contain_text("URL is required.")


def test_builder_new_nodes_are_placed_in_view_and_clear_resets_the_view(page: Page) -> None:
    open_builder(page)
    canvas = page.get_by_test_id("canvas")
    button(page, "+ Start").click()
    box = canvas.bounding_box()
    assert box
    # Pan far away from the Start node, then add a node: it appears in view.
    drag(page, (box["x"] + 60, box["y"] + box["height"] - 40), (box["x"] + 60, box["y"] + 40))
    drag(page, (box["x"] + 60, box["y"] + box["height"] - 40), (box["x"] + 60, box["y"] + 40))
    page.get_by_test_id("canvas").click(position={"x": 20, "y": 20})  # nothing selected
    button(page, "+ HTTP").click()
    assert _inside(node(page, "http-1").locator(".node__box"), canvas)

    page.locator("#zoom-in").click()
    page.locator("#zoom-in").click()
    assert canvas.get_attribute("data-zoom") != "1.00"
    button(page, "Clear").click()
    page.get_by_role("dialog").get_by_role("button", name="Clear canvas").click()
    expect(canvas).to_have_attribute("data-zoom", "1.00")


def test_builder_opening_the_run_panel_keeps_every_node_in_view(page: Page) -> None:
    open_builder(page)
    button(page, "Notion Template").click()
    expect(node(page, "start")).to_be_visible()
    canvas = page.get_by_test_id("canvas")
    page.locator("#run-drawer-toggle").click()
    expect(page.locator("#run-drawer")).to_have_class("drawer is-open")
    page.wait_for_timeout(300)
    for node_id in page.locator("[data-testid=canvas] [data-node-id]").evaluate_all(
        "els => els.map(e => e.dataset.nodeId)"
    ):
        assert _inside(node(page, node_id).locator(".node__box"), canvas), node_id


def test_builder_payload_box_names_the_keys_the_template_reads(page: Page) -> None:
    open_builder(page)
    page.locator("#run-drawer-toggle").click()
    button(page, "Slack Template").click()
    expect(page.locator(".run-payload")).to_have_attribute("open", "")
    expect(page.get_by_test_id("payload-keys")).to_have_text("This workflow reads payload.message.")
    expect(page.get_by_label("Run payload (a JSON object)")).to_have_value('{\n "message": ""\n}')


def test_builder_template_saved_twice_gets_a_free_name(page: Page, builder_user: Any) -> None:
    for expected in ("Slack Notification", "Slack Notification (2)"):
        open_builder(page)
        button(page, "Slack Template").click()
        expect(node(page, "start")).to_be_visible()
        page.keyboard.press("Control+s")
        expect(page.locator("body")).to_contain_text(f"Saved “{expected}”")
        page.wait_for_url("**/builder/*/")
    names = sorted(Workflow.objects.filter(owner=builder_user).values_list("name", flat=True))
    assert names == ["Slack Notification", "Slack Notification (2)"]
