"""Workflow versions: kept on each change of graph or vars, numbered without gaps or duplicates, restored
as a new version; failure workflows belong to the same owner."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections

from backend.core.errors import NotFound, ValidationFailed
from backend.workflows.changes import change_summary
from backend.workflows.models import Workflow, WorkflowVersion
from backend.workflows.selectors import version_get, version_list
from backend.workflows.services import workflow_create, workflow_duplicate, workflow_restore, workflow_update
from tests.support.graphs import builder_file, chain, edge, http_node, start_node

URL = "https://api.example.test/x"


def _graph(*extra: str, url: str = URL) -> dict[str, Any]:
    nodes = [start_node(), http_node("fetch", url, label="Fetch"), *(http_node(n, URL, label=n.title()) for n in extra)]
    return builder_file(nodes, chain("start", "fetch", *extra))


def _numbers(workflow: Workflow) -> list[int]:
    return list(WorkflowVersion.objects.filter(workflow=workflow).values_list("number", flat=True))


@pytest.mark.django_db
def test_versions_create_stores_version_one(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Ping", graph=_graph(), variables={"a": 1})
    first = version_get(workflow=workflow, number=1)
    assert workflow.version == 1 and _numbers(workflow) == [1]
    assert first.graph == workflow.graph and first.variables == {"a": 1}
    assert first.created_by == user and first.summary == "created"


@pytest.mark.django_db
def test_versions_graph_change_stores_next_version_with_summary(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Ping", graph=_graph())
    workflow_update(workflow=workflow, graph=_graph("slack"))
    workflow.refresh_from_db()
    assert workflow.version == 2 and _numbers(workflow) == [2, 1]
    latest = version_get(workflow=workflow, number=2)
    assert latest.summary == "added node Slack; added edge Fetch→Slack"
    assert latest.graph == workflow.graph


@pytest.mark.django_db
def test_versions_identical_save_and_rename_store_none(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Ping", graph=_graph(), variables={"a": 1})
    workflow_update(workflow=workflow, graph=_graph(), variables={"a": 1})
    workflow_update(workflow=workflow, name="Renamed", description="only words")
    workflow.refresh_from_db()
    assert workflow.name == "Renamed" and workflow.version == 1 and _numbers(workflow) == [1]


@pytest.mark.django_db
def test_versions_vars_change_alone_is_a_version(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Ping", graph=_graph(), variables={"a": 1})
    workflow_update(workflow=workflow, variables={"a": 2})
    assert version_get(workflow=workflow, number=2).summary == "changed vars"


@pytest.mark.django_db
def test_versions_list_is_newest_first_without_graphs(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Ping", graph=_graph())
    workflow_update(workflow=workflow, graph=_graph("a"))
    workflow_update(workflow=workflow, graph=_graph("a", "b"))
    versions = list(version_list(workflow=workflow))
    assert [v.number for v in versions] == [3, 2, 1]
    assert "graph" in versions[0].get_deferred_fields()


@pytest.mark.django_db
def test_versions_restore_takes_old_graph_as_a_new_version(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Ping", graph=_graph(), variables={"a": 1})
    original = dict(workflow.graph)
    workflow_update(workflow=workflow, graph=_graph("slack"), variables={"a": 2})
    workflow_restore(workflow=workflow, number=1)
    workflow.refresh_from_db()
    assert workflow.graph == original and workflow.variables == {"a": 1}
    assert workflow.version == 3
    summary = version_get(workflow=workflow, number=3).summary
    assert summary.startswith("restored version 1") and "removed node Slack" in summary


@pytest.mark.django_db
def test_versions_restore_of_a_missing_number_is_not_found_and_changes_nothing(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Ping", graph=_graph())
    with pytest.raises(NotFound):
        workflow_restore(workflow=workflow, number=7)
    workflow.refresh_from_db()
    assert workflow.version == 1 and _numbers(workflow) == [1]


@pytest.mark.django_db(transaction=True)
def test_versions_concurrent_saves_never_share_a_number(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Ping", graph=_graph())
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def save(index: int) -> None:
        try:
            mine = Workflow.objects.get(pk=workflow.pk)
            barrier.wait()
            workflow_update(workflow=mine, graph=_graph(f"n{index}"))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    workflow.refresh_from_db()
    assert sorted(_numbers(workflow)) == [1, 2, 3, 4, 5] and workflow.version == 5
    assert version_get(workflow=workflow, number=5).graph == workflow.graph


def test_change_summary_names_nodes_edges_configs_and_vars() -> None:
    old = builder_file(
        [start_node(), http_node("a", URL, label="A"), http_node("b", URL, label="B")], chain("start", "a", "b")
    )
    new = builder_file(
        [start_node(), http_node("a", f"{URL}/2", label="A"), http_node("c", URL, label="Slack")],
        [*chain("start", "a"), edge("start", "c")],
    )
    summary = change_summary(old, {"x": 1}, new, {"x": 2})
    assert summary == (
        "added node Slack; removed node B; changed config of A; added edge start→Slack; removed edge A→B; changed vars"
    )


def test_change_summary_of_a_moved_node_says_moved() -> None:
    old = builder_file([start_node()], [])
    new = builder_file([start_node()], [])
    new["nodes"][0]["position"] = {"x": 500, "y": 500}
    assert change_summary(old, {}, new, {}) == "moved nodes"


@pytest.mark.django_db
def test_failure_workflow_must_be_the_owners(user: Any, other_user: Any) -> None:
    hook = workflow_create(owner=user, name="Hook", graph=_graph())
    theirs = workflow_create(owner=other_user, name="Theirs", graph=_graph())
    workflow = workflow_create(owner=user, name="Main", graph=_graph(), failure_workflow_id=hook.pk)
    assert workflow.failure_workflow_id == hook.pk
    for bad in (theirs.pk, "00000000-0000-0000-0000-000000000000", "not-an-id"):
        with pytest.raises(ValidationFailed) as caught:
            workflow_update(workflow=workflow, failure_workflow_id=bad)
        assert "failureWorkflowId" in caught.value.details
    workflow.refresh_from_db()
    assert workflow.failure_workflow_id == hook.pk


@pytest.mark.django_db
def test_failure_workflow_may_be_itself_and_cleared_and_is_copied(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Main", graph=_graph())
    workflow_update(workflow=workflow, failure_workflow_id=workflow.pk)
    assert Workflow.objects.get(pk=workflow.pk).failure_workflow_id == workflow.pk
    assert workflow_duplicate(workflow=workflow).failure_workflow_id == workflow.pk
    workflow_update(workflow=workflow, failure_workflow_id=None)
    assert Workflow.objects.get(pk=workflow.pk).failure_workflow_id is None
    assert _numbers(workflow) == [1]  # naming a failure workflow is not a change of graph or vars
