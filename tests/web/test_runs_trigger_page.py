"""The runs page names each run's trigger and filters by it; an unknown trigger is ignored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from backend.runs.services import run_start
from tests.support.graphs import start_node


@pytest.fixture
def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _run(owner: Any, trigger: str) -> str:
    run, _ = run_start(owner=owner, graph={"nodes": [start_node()], "edges": []}, trigger=trigger)
    return str(run.pk)


def _listed(page: Any) -> list[str]:
    return re.findall(r'data-run-id="([0-9a-f-]+)"', page.content.decode())


@pytest.mark.django_db
def test_runs_page_shows_and_filters_by_trigger(web: Any, user: Any) -> None:
    manual = _run(user, "manual")
    hook = _run(user, "failure_hook")
    html = web.get("/runs/").content.decode()
    assert set(_listed(web.get("/runs/"))) == {manual, hook}
    assert 'data-trigger="failure_hook" data-testid="run-trigger">Failure hook<' in html
    assert 'data-testid="runs-filter-trigger"' in html
    filtered = web.get("/runs/?trigger=failure_hook")
    assert _listed(filtered) == [hook]
    assert '<option value="failure_hook" selected>' in filtered.content.decode()
    assert set(_listed(web.get("/runs/?trigger=bogus"))) == {manual, hook}


@pytest.mark.django_db
def test_runs_pages_show_the_workflow_version_a_run_ran(web: Any, user: Any) -> None:
    from backend.workflows.services import workflow_create

    workflow = workflow_create(owner=user, name="Versioned", graph={"nodes": [start_node()], "edges": []})
    run, _ = run_start(owner=user, workflow_id=workflow.pk)
    assert "Versioned <span" in web.get("/runs/").content.decode()
    assert 'data-testid="run-workflow-version">v1<' in web.get(f"/runs/{run.pk}/").content.decode()


@pytest.mark.django_db
def test_run_again_keeps_the_workflow_version_of_the_run_it_repeats(web: Any, user: Any) -> None:
    from backend.runs.models import Run
    from backend.workflows.services import workflow_create, workflow_update

    graph = {"nodes": [start_node()], "edges": []}
    workflow = workflow_create(owner=user, name="Versioned", graph=graph)
    first, _ = run_start(owner=user, workflow_id=workflow.pk)
    workflow_update(workflow=workflow, variables={"later": 1})  # version 2, which the rerun must not claim
    web.post(f"/runs/{first.pk}/again/", {"key": "rerun_3_abc"})
    again = Run.objects.exclude(pk=first.pk).get()
    assert (again.trigger, again.workflow_id, again.workflow_version) == ("rerun", workflow.pk, 1)
