"""Run panel and run page in Chromium against uvicorn (live websockets) and a real worker process."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend.credentials.services import credential_create
from backend.runs.models import Run, RunEvent
from backend.runs.services import run_start
from tests.browser import runs_fixtures
from tests.browser.helpers import build_start_http, button, node, open_builder
from tests.browser.runs_fixtures import AsgiServer
from tests.support.graphs import builder_file, chain, edge, http_node, start_node
from tests.support.target import serving_target
from tests.support.worker import wait_for

pytestmark = pytest.mark.browser

# The fixtures of runs_fixtures.py, made visible to this module.
asgi_server = runs_fixtures.asgi_server
runs_worker = runs_fixtures.runs_worker
runs_user = runs_fixtures.runs_user
signed_in = runs_fixtures.signed_in

LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} \[(INFO|WARN|ERROR)\] (.*)$")


def _start(user: Any, graph: dict[str, Any]) -> Run:
    run, _ = run_start(owner=user, graph=graph, idempotency_key=None, trigger="test")
    return run


def _finished(run: Run, timeout: float = 60) -> Run:
    def done() -> Run | None:
        run.refresh_from_db()
        return run if run.status in ("succeeded", "failed", "cancelled") else None

    return wait_for(done, timeout=timeout, interval=0.2)


def _events(run: Run) -> list[tuple[int, str, str]]:
    return [(e.seq, e.level.upper(), e.message) for e in RunEvent.objects.filter(run=run).order_by("seq")]


def _shown(page: Page) -> list[tuple[int, str, str]]:
    rows = page.eval_on_selector_all(
        "[data-testid=run-logs] [data-seq]", "els => els.map(e => [Number(e.dataset.seq), e.textContent])"
    )
    shown = []
    for seq, text in rows:
        match = LINE.match(text)
        assert match, f"log line not in `HH:MM:SS.mmm [LEVEL] message` form: {text!r}"
        shown.append((seq, match.group(1), match.group(2)))
    return shown


def _assert_full_log(page: Page, run: Run) -> None:
    expected = _events(run)
    shown = _shown(page)
    seqs = [s for s, _, _ in shown]
    assert len(seqs) == len(set(seqs)), f"doubled lines: {seqs}"
    assert shown == expected


def test_run_page_of_a_finished_run_shows_every_step_and_log_line(
    asgi_server: AsgiServer, runs_worker: Any, runs_user: Any, signed_in: Callable[[str], Page]
) -> None:
    with serving_target() as target:
        graph = {
            "nodes": [
                start_node(),
                http_node("a", f"{target.url}/a", label="Fetch A"),
                http_node("b", f"{target.url}/b?delay=0.2&name=b"),
                http_node("c", f"{target.url}/c?delay=0.2&name=c"),
                http_node("d", f"{target.url}/d", method="POST", body='{"joined": true}'),
            ],
            "edges": [edge("start", "a"), edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("c", "d")],
        }
        run = _finished(_start(runs_user, graph))
    assert run.status == "succeeded"

    page = signed_in(asgi_server.url)
    page.goto(f"/runs/{run.pk}/")
    status = page.get_by_test_id("run-status")
    expect(status).to_have_attribute("data-status", "succeeded")
    expect(status).to_have_text(re.compile(r"^Run succeeded in \d+(ms|\.\ds)$"))
    steps = page.get_by_test_id("run-steps").locator("li")
    expect(steps).to_have_count(5)
    assert page.eval_on_selector_all(
        "[data-testid=run-steps] li", "els => els.map(e => [e.dataset.nodeId, e.dataset.status])"
    ) == [[n, "succeeded"] for n in ("start", "a", "b", "c", "d")]
    duration = steps.filter(has_text="Fetch A").locator(".run-step__duration")
    expect(duration).to_have_text(re.compile(r"^\d+ms$|^\d+\.\ds$"))
    _assert_full_log(page, run)
    # on the small graph each node's status has its own line: it never overlaps the title
    for node_id in ("start", "a", "b", "c", "d"):
        title = page.locator(f'#run-canvas [data-node-id="{node_id}"] .node__title').bounding_box()
        badge = page.locator(f'#run-canvas [data-node-id="{node_id}"] .node__status').bounding_box()
        assert title and badge and badge["y"] >= title["y"] + title["height"] - 1, node_id
    # the read-only canvas is coloured, the timeline has a bar per executed step, outputs open
    expect(page.locator('#run-canvas [data-node-id="d"]')).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#run-timeline rect.tl-bar")).to_have_count(5)
    page.locator('#run-outputs details[data-node-id="d"] > summary').click()
    expect(page.locator('#run-outputs details[data-node-id="d"] .json-view')).to_contain_text('"status"')
    expect(page.get_by_test_id("cancel-button")).to_be_disabled()

    # the list shows it, and Run again starts the same graph
    page.goto("/runs/?status=succeeded")
    expect(page.locator(f'tr[data-run-id="{run.pk}"]')).to_be_visible()


def test_reload_mid_run_shows_the_full_log_with_no_line_missing_or_doubled(
    asgi_server: AsgiServer, runs_worker: Any, runs_user: Any, signed_in: Callable[[str], Page]
) -> None:
    sockets: list[str] = []
    with serving_target() as target:
        names = ["one", "two", "three", "four"]
        graph = {
            "nodes": [start_node(), *(http_node(n, f"{target.url}/{n}?delay=0.8&name={n}") for n in names)],
            "edges": chain("start", *names),
        }
        page = signed_in(asgi_server.url)
        page.on("websocket", lambda ws: sockets.append(ws.url))
        run = _start(runs_user, graph)
        page.goto(f"/runs/{run.pk}/")
        expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "running", timeout=20_000)
        # wait until the page has streamed part of the run (step two running), then reload mid-run
        expect(page.locator('[data-testid=run-steps] li[data-node-id="two"]')).to_have_attribute(
            "data-status", "running", timeout=20_000
        )
        page.reload()
        run.refresh_from_db()
        assert run.status == "running", "the reload must happen while the run is still going"
        expect(page.locator('[data-testid=run-steps] li[data-node-id="four"]')).to_have_attribute(
            "data-status", "succeeded", timeout=30_000
        )
        expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=15_000)
        _finished(run)
    _assert_full_log(page, run)
    assert [s for s, _, _ in _shown(page)] == list(range(1, run.event_seq + 1))
    assert sum(f"/ws/runs/{run.pk}/" in url for url in sockets) >= 2, f"websocket not used: {sockets}"
    assert any("after=0" not in url for url in sockets), "the reloaded page must resume after its lastSeq"


def _open_builder_panel(page: Page) -> None:
    """A fresh builder with the run drawer opened by hand (for the payload editor inside it)."""
    open_builder(page)
    page.locator("#run-drawer-toggle").click()
    expect(page.get_by_test_id("run-status")).to_be_visible()


def _run_controls_in_the_toolbar(page: Page) -> None:
    """`run-button` and `cancel-button` are the toolbar's, one of each, visible with the drawer closed."""
    for test_id in ("run-button", "cancel-button"):
        control = page.get_by_test_id(test_id)
        expect(control).to_have_count(1)
        expect(control).to_be_visible()
        expect(page.locator(f"#toolbar [data-testid={test_id}]")).to_have_count(1)
    expect(button(page, "Run")).to_have_count(1)
    expect(button(page, "Run")).to_have_attribute("data-testid", "run-button")
    expect(button(page, "Cancel")).to_have_attribute("data-testid", "cancel-button")


def _import(page: Page, tmp_path: Path, graph: dict[str, Any]) -> None:
    path = tmp_path / "workflow-v1.json"
    path.write_text(json.dumps(graph))
    page.get_by_test_id("import-input").set_input_files(str(path))


def _canvas_status(page: Page, node_id: str) -> Any:
    return page.locator(f'[data-testid=canvas] g[data-node-id="{node_id}"]').first


def test_builder_runs_the_slack_template_live_with_the_request_masked(
    asgi_server: AsgiServer, runs_worker: Any, runs_user: Any, signed_in: Callable[[str], Page]
) -> None:
    token = "XsEcReTtOkEn9876"
    with serving_target() as target:
        webhook = f"{target.url}/services/T000/B000/{token}"
        credential_create(owner=runs_user, name="slackWebhook", kind="secret_text", value=webhook)
        page = signed_in(asgi_server.url)
        _open_builder_panel(page)
        page.get_by_role("button", name="Slack Template").click()
        expect(page.locator('[data-testid=canvas] [data-node-id="slack"]').first).to_be_visible()
        # The template reads {{payload.message}}: the payload box is already open and says so.
        expect(page.locator(".run-payload")).to_have_attribute("open", "")
        expect(page.get_by_test_id("payload-keys")).to_have_text("This workflow reads payload.message.")
        page.get_by_label("Run payload (a JSON object)").fill('{"message": "deploy finished"}')
        _run_controls_in_the_toolbar(page)
        page.get_by_test_id("run-button").click()

        status = page.get_by_test_id("run-status")
        expect(status).to_have_attribute("data-status", "succeeded", timeout=30_000)
        expect(status).to_have_text(re.compile(r"^Run succeeded in \d+(ms|\.\ds)$"))
        for node_id in ("start", "slack"):
            expect(page.locator(f'[data-testid=run-steps] li[data-node-id="{node_id}"]')).to_have_attribute(
                "data-status", "succeeded"
            )
            expect(_canvas_status(page, node_id)).to_have_attribute("data-status", "succeeded")
        expect(page.locator('[data-testid=run-steps] li[data-node-id="slack"]')).to_contain_text("Send Slack Message")
        logs = page.get_by_test_id("run-logs")
        expect(logs).to_contain_text("[INFO] POST ")
        expect(logs).to_contain_text("run succeeded")
        assert token not in logs.inner_text()
        assert token not in page.content()
        assert [s.path for s in target.seen] == [f"/services/T000/B000/{token}"]
        assert json.loads(target.seen[0].body) == {"text": "deploy finished"}
        run_link = page.locator(".run-panel__link")
        expect(run_link).to_have_attribute("href", re.compile(r"^/runs/[0-9a-f-]{36}/$"))
        run = Run.objects.get(owner=runs_user)
        assert run.idempotency_key and re.fullmatch(r"ui_\d{13}_[0-9a-z]+", run.idempotency_key)
    _assert_full_log(page, run)


def test_builder_cancel_stops_a_running_request_and_its_successor(
    asgi_server: AsgiServer,
    runs_worker: Any,
    runs_user: Any,
    signed_in: Callable[[str], Page],
    tmp_path: Path,
) -> None:
    with serving_target() as target:
        nodes = [
            start_node(),
            http_node("slow", f"{target.url}/slow?delay=10&name=slow", label="Slow call"),
            http_node("after", f"{target.url}/after?name=after", label="Successor"),
        ]
        page = signed_in(asgi_server.url)
        open_builder(page)
        _import(page, tmp_path, builder_file(nodes, chain("start", "slow", "after"), name="Slow"))
        expect(page.locator('[data-testid=canvas] [data-node-id="slow"]').first).to_be_visible()
        expect(page.get_by_test_id("cancel-button")).to_be_disabled()  # no run yet
        page.get_by_test_id("run-button").click()
        slow_step = page.locator('[data-testid=run-steps] li[data-node-id="slow"]')
        wait_for(lambda: target.seen, timeout=30)  # the slow request is in flight
        expect(page.get_by_test_id("cancel-button")).to_be_visible()
        expect(page.get_by_test_id("cancel-button")).to_be_enabled()
        expect(page.get_by_test_id("run-button")).to_be_disabled()  # one run at a time
        expect(slow_step).to_be_visible()  # Run opened the drawer
        pressed = time.monotonic()
        page.get_by_test_id("cancel-button").click()

        status = page.get_by_test_id("run-status")
        expect(status).to_have_attribute("data-status", "cancelled", timeout=15_000)
        expect(status).to_have_text("Run cancelled")
        expect(page.get_by_test_id("cancel-button")).to_be_disabled()
        expect(page.get_by_test_id("run-button")).to_be_enabled()
        expect(page.locator('[data-testid=run-steps] li[data-node-id="after"]')).to_have_attribute(
            "data-status", "cancelled"
        )
        expect(_canvas_status(page, "after")).to_have_attribute("data-status", "cancelled")
        slow = wait_for(lambda: target.named("slow") if target.named("slow").ended else None, timeout=15)
        assert slow.client_closed, "the running request was not aborted"
        assert slow.ended - pressed < 8
        time.sleep(1.5)  # a successor started by mistake would have reached the target by now
        assert [s.query.get("name") for s in target.seen] == ["slow"]
    run = Run.objects.get(owner=runs_user)
    assert run.status == "cancelled"
    wait_for(lambda: RunEvent.objects.filter(run=run, type="step_cancelled", node_id="slow").exists(), timeout=15)
    expect(slow_step).to_have_attribute("data-status", "cancelled", timeout=10_000)


def test_builder_run_button_runs_a_fresh_start_http_without_opening_the_panel(
    asgi_server: AsgiServer, runs_worker: Any, runs_user: Any, signed_in: Callable[[str], Page]
) -> None:
    """The prototype scripts' way: build Start → HTTP, click `run-button`, read `run-status`."""
    with serving_target() as target:
        page = signed_in(asgi_server.url)
        open_builder(page)
        build_start_http(page)
        node(page, "http-1").click()
        page.locator("#inspector input[name=url]").fill(f"{target.url}/ping?name=ping")
        expect(page.get_by_test_id("run-panel")).to_be_hidden()  # the drawer is closed
        _run_controls_in_the_toolbar(page)
        expect(page.get_by_test_id("cancel-button")).to_be_disabled()

        page.get_by_test_id("run-button").click()
        status = page.get_by_test_id("run-status")
        expect(status).to_be_visible()  # Run opened the drawer
        expect(status).to_have_attribute("data-status", "succeeded", timeout=30_000)
        expect(status).to_have_text(re.compile(r"^Run succeeded in \d+(ms|\.\ds)$"))
        for node_id in ("start", "http-1"):
            expect(page.locator(f'[data-testid=run-steps] li[data-node-id="{node_id}"]')).to_have_attribute(
                "data-status", "succeeded"
            )
        expect(page.get_by_test_id("run-logs")).to_contain_text("run succeeded")
        expect(page.get_by_test_id("cancel-button")).to_be_disabled()
        expect(page.get_by_test_id("run-button")).to_be_enabled()
        assert [s.query.get("name") for s in target.seen] == ["ping"]
    run = Run.objects.get(owner=runs_user)
    assert run.status == "succeeded"


def test_without_websockets_the_run_page_polls_to_the_end(
    live_server: Any, settings: Any, runs_worker: Any, runs_user: Any, signed_in: Callable[[str], Page]
) -> None:
    """live_server is WSGI: the socket cannot open, so the page polls `/events?after=` instead."""
    polls: list[str] = []
    with serving_target() as target:
        names = ["p1", "p2"]
        graph = {
            "nodes": [start_node(), *(http_node(n, f"{target.url}/{n}?delay=0.6&name={n}") for n in names)],
            "edges": chain("start", *names),
        }
        page = signed_in(live_server.url)
        page.on("request", lambda r: polls.append(r.url) if "/events?after=" in r.url else None)
        run = _start(runs_user, graph)
        page.goto(f"/runs/{run.pk}/")
        status = page.get_by_test_id("run-status")
        expect(status).to_have_attribute("data-status", "succeeded", timeout=30_000)
        expect(status).to_have_text(re.compile(r"^Run succeeded in "))
        _finished(run)
    _assert_full_log(page, run)
    assert polls, "the page never polled"
    assert re.search(r"after=\d+$", polls[0])


def test_builder_run_of_a_saved_workflow_is_recorded_against_it_and_a_template_clears_badges(
    asgi_server: AsgiServer, runs_worker: Any, runs_user: Any, signed_in: Callable[[str], Page]
) -> None:
    from backend.workflows.services import workflow_create

    with serving_target() as target:
        graph = builder_file(
            [start_node(), http_node("ping", f"{target.url}/ping", label="Ping")], chain("start", "ping")
        )
        workflow = workflow_create(owner=runs_user, name="Nightly ping", graph=graph)
        page = signed_in(asgi_server.url)
        open_builder(page, f"/builder/{workflow.pk}/")
        page.get_by_test_id("run-button").click()
        expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=30_000)
        expect(_canvas_status(page, "ping")).to_have_attribute("data-status", "succeeded")
    run = Run.objects.get(owner=runs_user)
    assert run.workflow_id == workflow.pk

    # Loading a template replaces the graph: the last run's badges go with it.
    page.get_by_role("button", name="Notion Template").click()
    expect(_canvas_status(page, "start")).to_have_attribute("data-status", "idle")

    page.on("dialog", lambda dialog: dialog.accept())  # leaving with the template's unsaved changes
    page.goto("/runs/")
    row = page.locator(f'tr[data-run-id="{run.pk}"]')
    expect(row).to_contain_text("Nightly ping")
    expect(row.get_by_test_id("run-short-id")).to_have_text(str(run.pk)[:8])
    page.goto(f"/runs/?workflow={workflow.pk}")
    expect(page.locator(f'tr[data-run-id="{run.pk}"]')).to_be_visible()
