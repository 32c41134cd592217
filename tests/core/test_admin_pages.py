"""Every model has a working Django admin page; run pages render a run with its steps and events."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from backend.runs import dispatch
from backend.runs.services import run_start
from tests.support.factories import UserFactory
from tests.support.graphs import chain, http_node, start_node

pytestmark = pytest.mark.django_db


class _NoDispatch:
    def enqueue(self, step_ids: Any) -> None:
        pass


@pytest.fixture
def staff() -> Client:
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    return client


def test_admin_changelists_render_for_every_model(staff: Client) -> None:
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert staff.get(url).status_code == 200, url


def test_admin_run_page_shows_steps_and_is_read_only(staff: Client, user: Any) -> None:
    previous = dispatch.set_dispatcher(_NoDispatch())
    try:
        graph = {"nodes": [start_node(), http_node("ping", "http://127.0.0.1:9/")], "edges": chain("start", "ping")}
        run, _ = run_start(owner=user, graph=graph)
    finally:
        dispatch.set_dispatcher(previous)
    page = staff.get(f"/admin/runs/run/{run.pk}/change/")
    assert page.status_code == 200
    assert b"ping" in page.content and b"run_queued" in page.content
    assert staff.get("/admin/runs/run/add/").status_code == 403
