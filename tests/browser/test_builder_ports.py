"""Named output ports in Chromium: branch and switch nodes wired by their ports, the condition and list
editors, skipped steps greyed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.helpers import button, center, connect, drag, export, move_node, node, open_builder, saved
from workers.executors import registry

pytestmark = pytest.mark.browser


def add_kind(page: Page, kind: str) -> None:
    """Add a node of a kind (by its registered label) from the toolbar's "+ Node" menu."""
    page.get_by_text("+ Node ▾").click()
    button(page, f"+ {registry.SPECS[kind.lower()].label}").click()


def _edges_from(file: dict[str, Any], source: str) -> list[tuple[str, Any]]:
    return sorted((e["target"], e.get("sourceHandle")) for e in file["edges"] if e["source"] == source)


def _config(file: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in file["nodes"] if n["id"] == node_id)["data"]["config"]


def _drag_port(page: Page, source: str, handle: str, target: str) -> None:
    port = node(page, source).locator(f'.port--out[data-handle="{handle}"]')
    drag(page, center(port), center(node(page, target).locator(".port--in")))


def _branch_and_two_http(page: Page) -> None:
    """Start → Branch, and two HTTP nodes stacked to the right of the branch (nothing connected to them)."""
    open_builder(page)
    button(page, "+ Start").click()
    add_kind(page, "Branch")
    button(page, "+ HTTP").click()
    node(page, "branch-1").click()
    button(page, "+ HTTP").click()  # right of the branch too, below http-1
    page.locator("#zoom-fit").click()
    connect(page, "start", "branch-1")


def test_branch_ports_connect_with_the_mouse_and_export_their_handles(page: Page) -> None:
    _branch_and_two_http(page)
    branch = node(page, "branch-1")
    expect(branch.locator(".port--out")).to_have_count(2)
    expect(branch.locator(".port__label")).to_have_text(["true", "false"])
    expect(node(page, "start").locator(".port--out")).to_have_count(1)  # no named outputs: one port

    _drag_port(page, "branch-1", "true", "http-1")
    _drag_port(page, "branch-1", "false", "http-2")
    file = saved(page)
    assert _edges_from(file, "branch-1") == [("http-1", "true"), ("http-2", "false")]
    assert _edges_from(file, "start") == [("branch-1", None)]
    # each edge starts at its own port
    true_y = center(branch.locator('[data-handle="true"].port'))[1]
    false_y = center(branch.locator('[data-handle="false"].port'))[1]
    assert true_y < false_y

    # the same pair twice, from the other port, is refused (the engine counts each edge as one dependency)
    _drag_port(page, "branch-1", "false", "http-1")
    expect(page.locator("#toasts")).to_contain_text("already connected")
    _, text = export(page)
    exported = json.loads(text)
    assert _edges_from(exported, "branch-1") == [("http-1", "true"), ("http-2", "false")]

    # moving the branch keeps the edges on their ports
    move_node(page, "branch-1", 0, 48)
    assert _edges_from(saved(page), "branch-1") == [("http-1", "true"), ("http-2", "false")]


def test_condition_editor_rows_and_text(page: Page) -> None:
    _branch_and_two_http(page)
    node(page, "branch-1").click()
    form = page.locator("#inspector [data-condition=condition]")
    expect(form).to_be_visible()
    form.get_by_role("button", name="+ Add rule").click()
    page.locator('[name="condition.rules.0.left"]').fill("{{payload.amount}}")
    page.locator('[name="condition.rules.0.op"]').select_option("gt")
    page.locator('[name="condition.rules.0.right"]').fill("100")
    page.locator('[name="condition.rules.0.type"]').select_option("number")
    form.get_by_role("button", name="+ Add rule").click()
    page.locator('[name="condition.rules.1.left"]').fill("{{payload.tag}}")
    page.locator('[name="condition.rules.1.op"]').select_option("not_empty")
    expect(page.locator('[name="condition.rules.1.right"]')).to_be_hidden()  # a unary operator has no right side
    page.locator('[name="condition.match"]').select_option("any")
    assert _config(saved(page), "branch-1")["condition"] == {
        "match": "any",
        "rules": [
            {"left": "{{payload.amount}}", "op": "gt", "right": "100", "type": "number"},
            {"left": "{{payload.tag}}", "op": "not_empty", "type": "auto"},
        ],
    }
    # a rule typed "number" has no text form: the toggle keeps the rows and says why
    toggle = page.get_by_label("Condition: edit as text")
    toggle.click()
    expect(page.locator("#inspector .field__error").filter(has_text="Kept as rows")).to_contain_text("typed number")
    expect(toggle).not_to_be_checked()
    page.get_by_role("button", name="Remove rule 1").click()
    assert [r["left"] for r in _config(saved(page), "branch-1")["condition"]["rules"]] == ["{{payload.tag}}"]

    # the text toggle converts the rows to text, and text back to rows
    toggle.click()
    expect(page.get_by_label("Condition as text")).to_have_value("{{payload.tag}} not empty")
    text = '{{payload.amount}} > 100 and {{payload.tag}} contains "vip"'
    page.get_by_label("Condition as text").fill(text)
    assert _config(saved(page), "branch-1")["condition"] == text
    toggle.click()
    expect(page.locator('[name="condition.rules.1.right"]')).to_have_value("vip")
    assert _config(saved(page), "branch-1")["condition"]["rules"][0] == {
        "left": "{{payload.amount}}", "op": "gt", "right": 100, "type": "auto",
    }  # fmt: skip
    toggle.click()
    expect(page.get_by_label("Condition as text")).to_have_value(text)
    # a text condition opens in text mode
    node(page, "http-1").click()
    node(page, "branch-1").click()
    expect(page.get_by_label("Condition as text")).to_be_visible()
    expect(page.locator('[name="condition.match"]')).to_be_hidden()


def test_switch_cases_list_editor_names_the_ports_and_carries_their_edges(page: Page) -> None:
    open_builder(page)
    button(page, "+ Start").click()
    add_kind(page, "Switch")
    button(page, "+ HTTP").click()
    node(page, "switch-1").click()
    button(page, "+ HTTP").click()
    page.locator("#zoom-fit").click()
    node(page, "switch-1").click()
    switch = node(page, "switch-1")
    expect(switch.locator(".port__label")).to_have_text(["default"])
    cases = page.locator("#inspector [data-list=cases]")
    cases.get_by_role("button", name="Add case").click()
    page.locator('[name="cases[0].name"]').fill("vip")
    cases.get_by_role("button", name="Add case").click()
    page.locator('[name="cases[1].name"]').fill("big")
    # a case's condition gets the condition editor
    cases.locator('[data-entry="1"]').get_by_role("button", name="+ Add rule").click()
    page.locator('[name="cases[1].condition.rules.0.left"]').fill("{{payload.amount}}")
    expect(switch.locator(".port__label")).to_have_text(["vip", "big", "default"])
    assert _config(saved(page), "switch-1")["cases"][1]["condition"]["rules"][0]["left"] == "{{payload.amount}}"

    _drag_port(page, "switch-1", "vip", "http-1")
    _drag_port(page, "switch-1", "default", "http-2")
    assert _edges_from(saved(page), "switch-1") == [("http-1", "vip"), ("http-2", "default")]

    # renaming a case re-points its edges; moving it keeps them; removing it drops them
    node(page, "switch-1").click()
    page.locator('[name="cases[0].name"]').fill("gold")
    expect(switch.locator(".port__label")).to_have_text(["gold", "big", "default"])
    assert _edges_from(saved(page), "switch-1") == [("http-1", "gold"), ("http-2", "default")]
    page.get_by_role("button", name="Move down case 1").click()
    expect(switch.locator(".port__label")).to_have_text(["big", "gold", "default"])
    assert [c["name"] for c in _config(saved(page), "switch-1")["cases"]] == ["big", "gold"]
    assert _edges_from(saved(page), "switch-1") == [("http-1", "gold"), ("http-2", "default")]
    page.get_by_role("button", name="Remove case 2").click()
    expect(switch.locator(".port__label")).to_have_text(["big", "default"])
    assert _edges_from(saved(page), "switch-1") == [("http-2", "default")]
    page.keyboard.press("Control+z")  # undo brings the case and its edge back
    assert _edges_from(saved(page), "switch-1") == [("http-1", "gold"), ("http-2", "default")]


def _fake_finished_run(page: Page, statuses: dict[str, str]) -> None:
    """Answer the builder's run requests with a finished run whose steps have `statuses`."""
    page.route(
        "**/v1/runs",
        lambda route: (
            route.fulfill(status=201, json={"runId": "fake-run", "id": "fake-run", "status": "queued"})
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    steps = [{"nodeId": k, "name": k, "kind": "http", "status": v} for k, v in statuses.items()]
    doc = {"id": "fake-run", "status": "succeeded", "steps": steps, "lastSeq": 0, "events": []}
    page.route("**/v1/runs/fake-run", lambda route: route.fulfill(json=doc))


def test_builder_greys_a_skipped_step_and_dims_the_edge_into_it(page: Page) -> None:
    _branch_and_two_http(page)
    _drag_port(page, "branch-1", "true", "http-1")
    _drag_port(page, "branch-1", "false", "http-2")
    _fake_finished_run(
        page, {"start": "succeeded", "branch-1": "succeeded", "http-1": "succeeded", "http-2": "skipped"}
    )
    page.get_by_test_id("run-button").click()
    skipped = node(page, "http-2")
    expect(skipped).to_have_attribute("data-status", "skipped")
    expect(skipped.get_by_test_id("node-status")).to_have_text("skipped")
    assert float(skipped.evaluate("el => getComputedStyle(el).opacity")) < 0.6
    assert float(node(page, "http-1").evaluate("el => getComputedStyle(el).opacity")) == 1
    expect(page.locator('[data-testid=canvas] .edge-group.is-skipped[data-source-handle="false"]')).to_have_count(1)
    expect(page.locator("[data-testid=canvas] .edge-group.is-skipped")).to_have_count(1)


def test_run_page_draws_ports_and_greys_a_skipped_step(page: Page, builder_user: Any) -> None:
    from backend.runs.models import Run, Step

    def box(node_id: str, kind: str, x: int, y: int, config: dict[str, Any]) -> dict[str, Any]:
        return {"id": node_id, "type": kind, "position": {"x": x, "y": y}, "data": {"label": node_id, "config": config}}

    graph = {
        "nodes": [
            box("start", "start", 0, 0, {}),
            box("check", "branch", 240, 0, {"condition": "{{payload.amount}} > 100"}),
            box("big", "http", 480, -60, {"method": "GET", "url": "https://example.test/big"}),
            box("small", "http", 480, 60, {"method": "GET", "url": "https://example.test/small"}),
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "check", "sourceHandle": None},
            {"id": "e2", "source": "check", "target": "big", "sourceHandle": "true"},
            {"id": "e3", "source": "check", "target": "small", "sourceHandle": "false"},
        ],
        "meta": {"name": "Branchy", "version": 1},
    }
    now = timezone.now()
    run = Run.objects.create(
        owner=builder_user, status="succeeded", graph=graph, started_at=now - timedelta(seconds=2), finished_at=now
    )
    for i, (node_id, kind, status) in enumerate(
        [
            ("start", "start", "succeeded"),
            ("check", "branch", "succeeded"),
            ("big", "http", "succeeded"),
            ("small", "http", "skipped"),
        ]
    ):
        done = status == "succeeded"
        Step.objects.create(
            run=run,
            node_id=node_id,
            kind=kind,
            label=node_id,
            position=i,
            status=status,
            started_at=now - timedelta(seconds=1) if done else None,
            finished_at=now,
            duration_ms=5 if done else None,
        )
    page.goto(f"/runs/{run.pk}/")
    canvas = page.locator("#run-canvas")
    check = canvas.locator('[data-node-id="check"]')
    expect(check.locator(".port__label")).to_have_text(["true", "false"])
    small = canvas.locator('[data-node-id="small"]')
    expect(small).to_have_attribute("data-status", "skipped")
    expect(small.locator(".node__status")).to_have_text("skipped")
    assert float(small.evaluate("el => getComputedStyle(el).opacity")) < 0.6
    expect(canvas.locator('.edge.is-skipped[data-target="small"]')).to_have_count(1)
    expect(canvas.locator(".edge.is-skipped")).to_have_count(1)


def test_templates_menu_loads_the_order_triage_example(page: Page) -> None:
    open_builder(page)
    page.get_by_text("More ▾").click()
    button(page, "Order Triage").click()
    expect(node(page, "big")).to_be_visible()
    expect(node(page, "big").locator('.port--out[data-handle="true"]')).to_have_count(1)
    expect(node(page, "region").locator('.port--out[data-handle="default"]')).to_have_count(1)
    file = saved(page)
    assert ("vip", "true") in _edges_from(file, "big") and ("other", "default") in _edges_from(file, "region")


def test_a_nodes_note_shows_under_it_on_the_canvas(page: Page) -> None:
    open_builder(page)
    page.get_by_text("More ▾").click()
    button(page, "Delayed Reminder").click()
    expect(node(page, "wait").get_by_test_id("node-note")).to_have_text("No worker is held while it waits.")
