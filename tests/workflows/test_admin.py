"""Workflow admin: the list renders and a graph edited there passes the compiler."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from backend.workflows.admin import WorkflowAdminForm
from backend.workflows.services import workflow_create
from tests.support.factories import UserFactory
from tests.support.graphs import builder_file, chain, http_node, start_node

pytestmark = pytest.mark.django_db
GRAPH = builder_file([start_node(), http_node("ping", "https://api.example.test/x")], chain("start", "ping"))


def test_workflow_admin_changelist_and_search_render(user: Any) -> None:
    workflow_create(owner=user, name="Findable", graph=GRAPH)
    admin: Any = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/workflows/workflow/?q=Find")
    assert response.status_code == 200
    assert b"Findable" in response.content


def test_workflow_admin_form_rejects_invalid_graph(user: Any) -> None:
    bad = builder_file([start_node(), http_node("ping", "ftp://nope")], chain("start", "ghost"))
    form = WorkflowAdminForm(
        data={"owner": user.pk, "name": "x", "description": "", "graph": json.dumps(bad), "variables": "{}"}
    )
    assert not form.is_valid()
    assert "ghost" in str(form.errors["graph"]) and "config.url" in str(form.errors["graph"])
