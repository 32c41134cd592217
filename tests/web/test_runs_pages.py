"""Run history pages: login required, only the user's runs, filters, the run page, Run again."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from backend.runs.models import Run
from backend.runs.services import run_start
from backend.web.runs_views import format_duration, graph_canvas
from tests.support.factories import WorkflowFactory
from tests.support.graphs import builder_file, chain, edge, http_node, start_node

URL = "https://api.example.test/ping"
SECRET = "sk_live_do_not_show_me_123"


@pytest.fixture
def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _graph(name: str = "ping") -> dict[str, Any]:
    return builder_file(
        [start_node(), http_node(name, URL, headers={"Authorization": f"Bearer {SECRET}"}, label="Ping team")],
        chain("start", name),
    )


def _run(owner: Any, *, status: str = "queued", payload: dict[str, Any] | None = None, **kwargs: Any) -> Run:
    run, _ = run_start(owner=owner, graph=_graph(), payload=payload or {}, **kwargs)
    if status != run.status:
        now = timezone.now()
        Run.objects.filter(pk=run.pk).update(status=status, started_at=now, finished_at=now)
        run.refresh_from_db()
    return run


def _doc(response: Any) -> dict[str, Any]:
    match = re.search(r'<script id="run-doc" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "run-doc json_script missing"
    return json.loads(match.group(1))


def _listed_ids(response: Any) -> list[str]:
    return re.findall(r'data-run-id="([0-9a-f-]{36})"', response.content.decode())


@pytest.mark.parametrize("path", ["/runs/", "/runs/00000000-0000-0000-0000-000000000001/"])
def test_pages_need_login(db: Any, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={path}")


def test_rerun_needs_login(user: Any) -> None:
    run = _run(user)
    response = Client().post(f"/runs/{run.pk}/again/")
    assert response.status_code == 302
    assert Run.objects.count() == 1


def test_list_shows_only_my_runs_with_their_columns(web: Any, user: Any, other_user: Any) -> None:
    workflow = WorkflowFactory(owner=user, name="Nightly report")
    mine = _run(user, status="succeeded")
    Run.objects.filter(pk=mine.pk).update(
        workflow=workflow, started_at=timezone.now() - timezone.timedelta(milliseconds=1234), finished_at=timezone.now()
    )
    theirs = _run(other_user)
    response = web.get("/runs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _listed_ids(response) == [str(mine.pk)]
    assert str(theirs.pk) not in html
    assert "Nightly report" in html
    assert 'data-status="succeeded"' in html
    assert ">API<" in html  # trigger
    assert re.search(r">1\.2s<|>1\.3s<", html)  # duration in the compat format
    assert f'href="/runs/{mine.pk}/"' in html


def test_list_shows_a_short_run_id_with_the_full_one_in_its_title(web: Any, user: Any) -> None:
    run = _run(user, status="succeeded")
    html = web.get("/runs/").content.decode()
    short = re.search(r'data-testid="run-short-id">([^<]*)</a>', html)
    assert short and short.group(1) == str(run.pk)[:8]
    assert f'title="{run.pk}"' in html


def test_list_filters_by_status_and_workflow(web: Any, user: Any) -> None:
    wf_a = WorkflowFactory(owner=user, name="A")
    wf_b = WorkflowFactory(owner=user, name="B")
    ok_a = _run(user, status="succeeded")
    failed_a = _run(user, status="failed")
    failed_b = _run(user, status="failed")
    queued = _run(user)
    Run.objects.filter(pk__in=[ok_a.pk, failed_a.pk]).update(workflow=wf_a)
    Run.objects.filter(pk=failed_b.pk).update(workflow=wf_b)

    assert set(_listed_ids(web.get("/runs/"))) == {str(r.pk) for r in (ok_a, failed_a, failed_b, queued)}
    assert set(_listed_ids(web.get("/runs/?status=failed"))) == {str(failed_a.pk), str(failed_b.pk)}
    assert _listed_ids(web.get(f"/runs/?workflow={wf_a.pk}&status=failed")) == [str(failed_a.pk)]
    assert set(_listed_ids(web.get(f"/runs/?workflow={wf_a.pk}"))) == {str(ok_a.pk), str(failed_a.pk)}
    page = web.get("/runs/?status=cancelled")
    assert _listed_ids(page) == []
    assert "No runs match these filters" in page.content.decode()
    # the selected filters stay selected; nonsense values are ignored, not errors
    assert '<option value="failed" selected>' in web.get("/runs/?status=failed").content.decode()
    assert len(_listed_ids(web.get("/runs/?status=bogus&workflow=not-a-uuid"))) == 4


def test_list_does_not_offer_another_users_workflow(web: Any, other_user: Any) -> None:
    WorkflowFactory(owner=other_user, name="Bob's secret flow")
    assert "Bob&#x27;s secret flow" not in web.get("/runs/").content.decode()


def test_list_paginates(web: Any, user: Any) -> None:
    for _ in range(3):
        _run(user)
    from backend.web import runs_views

    original = runs_views.PAGE_SIZE
    runs_views.PAGE_SIZE = 2
    try:
        first, second = web.get("/runs/"), web.get("/runs/?page=2")
    finally:
        runs_views.PAGE_SIZE = original
    assert len(_listed_ids(first)) == 2 and len(_listed_ids(second)) == 1
    assert not set(_listed_ids(first)) & set(_listed_ids(second))
    assert 'rel="next"' in first.content.decode()


def test_run_page_embeds_the_document_and_a_config_free_canvas(web: Any, user: Any) -> None:
    run = _run(user, payload={"title": "hello"})
    response = web.get(f"/runs/{run.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    doc = _doc(response)
    assert doc["id"] == str(run.pk)
    assert [s["nodeId"] for s in doc["steps"]] == ["start", "ping"]
    assert doc["logs"][0]["type"] == "run_queued"
    for test_id in ("run-status", "run-steps", "run-logs", "cancel-button", "rerun-button"):
        assert f'data-testid="{test_id}"' in html
    assert "js/runs/detail.js" in html
    assert SECRET not in html  # the canvas carries ids, labels and positions, never configs
    assert "Ping team" in html


def test_run_page_of_another_user_is_404(web: Any, other_user: Any) -> None:
    theirs = _run(other_user)
    assert web.get(f"/runs/{theirs.pk}/").status_code == 404
    assert web.post(f"/runs/{theirs.pk}/again/", {"key": "k"}).status_code == 404
    assert Run.objects.count() == 1
    assert web.get("/runs/00000000-0000-0000-0000-000000000001/").status_code == 404


def test_run_again_starts_the_same_graph_and_payload(web: Any, user: Any) -> None:
    workflow = WorkflowFactory(owner=user)
    run = _run(user, status="failed", payload={"title": "again"})
    Run.objects.filter(pk=run.pk).update(workflow=workflow)
    response = web.post(f"/runs/{run.pk}/again/", {"key": "rerun_1_abc"})
    assert response.status_code == 302
    new = Run.objects.exclude(pk=run.pk).get()
    assert response["Location"] == f"/runs/{new.pk}/"
    assert new.graph["nodes"] == run.graph["nodes"] and new.graph["edges"] == run.graph["edges"]
    assert new.payload == {"title": "again"}
    assert new.trigger == "rerun"
    assert new.workflow_id == workflow.pk
    assert new.status == "queued"
    # the same form sent twice (double click, resubmit) gives the same run
    again = web.post(f"/runs/{run.pk}/again/", {"key": "rerun_1_abc"})
    assert again["Location"] == f"/runs/{new.pk}/"
    assert Run.objects.count() == 2
    assert web.get(f"/runs/{run.pk}/again/").status_code == 405


def test_run_again_keeps_the_variables_of_a_workflow_run(web: Any, user: Any) -> None:
    run = _run(user)
    Run.objects.filter(pk=run.pk).update(variables={"env": "prod"})
    web.post(f"/runs/{run.pk}/again/", {"key": "rerun_2_abc"})
    assert Run.objects.exclude(pk=run.pk).get().variables == {"env": "prod"}


def test_run_page_needs_csrf_for_run_again(user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    run = _run(user)
    assert client.post(f"/runs/{run.pk}/again/", {"key": "x"}).status_code == 403


def test_format_duration_matches_compat() -> None:
    expected = ["", "0ms", "999ms", "1.0s", "1.2s", "61.0s"]
    assert [format_duration(v) for v in (None, 0, 999, 1000, 1234, 61000)] == expected


def test_graph_canvas_uses_positions_or_lays_out_by_depth() -> None:
    file_form = builder_file([start_node(), http_node("a", URL, label="A")], chain("start", "a"))
    canvas = graph_canvas(file_form, {})
    xs = {n["id"]: n["x"] for n in canvas["nodes"]}
    assert xs["a"] - xs["start"] == 100  # builder_file puts nodes 100 px apart
    assert {n["label"] for n in canvas["nodes"]} == {"start", "A"}
    flat = {
        "nodes": [start_node(), http_node("b", URL), http_node("c", URL), http_node("d", URL)],
        "edges": [*chain("start", "b", "d"), *chain("start", "c", "d")],
    }
    canvas = graph_canvas(flat, {"b": {"name": "Bee"}})
    at = {n["id"]: (n["x"], n["y"]) for n in canvas["nodes"]}
    assert at["start"][0] < at["b"][0] == at["c"][0] < at["d"][0]
    assert at["b"][1] != at["c"][1]
    assert next(n for n in canvas["nodes"] if n["id"] == "b")["label"] == "b"  # the graph's label wins
    assert all("config" not in n for n in canvas["nodes"])
    assert graph_canvas({}, {})["nodes"] == []


def test_graph_canvas_lists_named_outputs_and_keeps_each_edge_handle() -> None:
    graph = builder_file(
        [start_node(), {"id": "check", "type": "branchy", "config": {}}, http_node("a", URL), http_node("b", URL)],
        [
            edge("start", "check"),
            {**edge("check", "a"), "sourceHandle": "true"},
            {**edge("check", "b"), "sourceHandle": "false"},
        ],
    )
    canvas = graph_canvas(graph, {})
    outputs = {n["id"]: n["outputs"] for n in canvas["nodes"]}
    # an unknown kind's outputs are the handles its edges name; a plain node has none
    assert outputs == {"start": [], "check": ["true", "false"], "a": [], "b": []}
    assert [e["sourceHandle"] for e in canvas["edges"]] == [None, "true", "false"]


def test_graph_canvas_takes_a_registered_kinds_outputs_from_its_config(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import BaseModel

    from workers.executors import registry
    from workers.executors.base import NodeSpec

    spec = NodeSpec(
        kind="sw",
        label="Sw",
        description="",
        color="#000",
        config_model=BaseModel,
        outputs=("default",),
        outputs_from="cases",
    )
    monkeypatch.setitem(registry.SPECS, "sw", spec)
    node = {"id": "s", "type": "sw", "config": {"cases": [{"name": "vip"}, {"name": "big"}]}}
    canvas = graph_canvas(builder_file([start_node(), node], [edge("start", "s")]), {})
    assert next(n for n in canvas["nodes"] if n["id"] == "s")["outputs"] == ["vip", "big", "default"]
