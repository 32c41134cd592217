"""Builder page helpers for the browser tests: node boxes, mouse drags, autosaved graph, downloads."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page

AUTOSAVE_KEY = "automateos.dev.graph"


def open_builder(page: Page, path: str = "/builder/?new=1") -> None:
    page.goto(path)
    page.wait_for_selector("body[data-builder-ready=true]")


def button(page: Page, name: str) -> Any:
    return page.get_by_role("button", name=name, exact=True)


def node(page: Page, node_id: str) -> Any:
    return page.locator(f'[data-testid=canvas] [data-node-id="{node_id}"]')


def center(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box, "element is not visible"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Page, start: tuple[float, float], end: tuple[float, float], *, shift: bool = False) -> None:
    if shift:
        page.keyboard.down("Shift")
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()
    if shift:
        page.keyboard.up("Shift")


def connect(page: Page, source: str, target: str) -> None:
    """Drag from the source's output port to the target's input port."""
    port = node(page, target).locator(".port--in")
    end = center(port) if port.count() else center(node(page, target).locator(".node__box"))
    drag(page, center(node(page, source).locator(".port--out")), end)


def move_node(page: Page, node_id: str, dx: float, dy: float) -> None:
    box = node(page, node_id).locator(".node__box").bounding_box()
    assert box
    start = (box["x"] + 60, box["y"] + 20)
    drag(page, start, (start[0] + dx, start[1] + dy))


def saved(page: Page) -> dict[str, Any]:
    """The autosaved builder file (waits out the autosave debounce)."""
    page.wait_for_timeout(400)
    text = page.evaluate(f"localStorage.getItem('{AUTOSAVE_KEY}')")
    assert text, "nothing autosaved"
    return json.loads(text)


def node_ids(page: Page) -> list[str]:
    return page.locator("[data-testid=canvas] [data-node-id]").evaluate_all("els => els.map(e => e.dataset.nodeId)")


def edge_count(page: Page) -> int:
    return page.locator("[data-testid=canvas] [data-edge-id]").count()


def export(page: Page) -> tuple[str, str]:
    """Click Export; returns (suggested filename, file text)."""
    with page.expect_download() as info:
        page.get_by_test_id("export-btn").click()
    download = info.value
    path = download.path()
    with open(path, encoding="utf-8") as handle:
        return download.suggested_filename, handle.read()


def toast_text(page: Page) -> str:
    return " ".join(page.locator("#toasts .toast").all_inner_texts())


def build_start_http(page: Page, url: str = "https://api.example.test/items") -> None:
    """Start → HTTP connected, the HTTP node given a URL (a new one has none) and left selected."""
    button(page, "+ Start").click()
    button(page, "+ HTTP").click()
    connect(page, "start", "http-1")
    node(page, "http-1").click()
    page.locator("#inspector input[name=url]").fill(url)
