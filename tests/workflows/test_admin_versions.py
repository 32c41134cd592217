"""Workflow admin and versions: a graph edited in the admin is kept as a version by that admin; the
versions are listed read-only; a failure workflow must be the same owner's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from backend.workflows.admin import WorkflowAdminForm
from backend.workflows.models import WorkflowVersion
from backend.workflows.services import workflow_create, workflow_update
from tests.support.factories import UserFactory
from tests.support.graphs import builder_file, chain, http_node, start_node

pytestmark = pytest.mark.django_db
GRAPH = builder_file([start_node(), http_node("ping", "https://api.example.test/x")], chain("start", "ping"))


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_versions_graph_edit_is_kept_as_a_version(user: Any, staff: Client) -> None:
    workflow = workflow_create(owner=user, name="Edited", graph=GRAPH)
    changed = builder_file([start_node(), http_node("ping", "https://api.example.test/y")], chain("start", "ping"))
    form = {
        "owner": user.pk, "name": "Edited", "description": "", "graph": json.dumps(changed), "variables": "{}",
        "failure_workflow": "", "versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "1",
        "versions-MIN_NUM_FORMS": "0", "versions-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = staff.post(f"/admin/workflows/workflow/{workflow.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    workflow.refresh_from_db()
    latest = WorkflowVersion.objects.get(workflow=workflow, number=2)
    assert workflow.version == 2 and latest.created_by.username == "root"
    assert latest.summary == "changed config of ping"


def test_admin_versions_are_listed_read_only(user: Any, staff: Client) -> None:
    workflow = workflow_create(owner=user, name="Listed", graph=GRAPH)
    workflow_update(workflow=workflow, variables={"a": 1})
    page = staff.get(f"/admin/workflows/workflow/{workflow.pk}/change/").content.decode()
    assert "changed vars" in page and "created" in page
    version = WorkflowVersion.objects.get(workflow=workflow, number=2)
    detail = staff.get(f"/admin/workflows/workflowversion/{version.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert staff.get("/admin/workflows/workflowversion/add/").status_code == 403


def test_admin_failure_workflow_of_another_owner_is_refused(user: Any, other_user: Any) -> None:
    theirs = workflow_create(owner=other_user, name="Theirs", graph=GRAPH)
    form = WorkflowAdminForm(
        data={"owner": user.pk, "name": "Mine", "description": "", "graph": json.dumps(GRAPH), "variables": "{}",
              "failure_workflow": theirs.pk}
    )  # fmt: skip
    assert not form.is_valid() and "failure_workflow" in form.errors
