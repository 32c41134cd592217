"""Workflow services and selectors: validation on save, unique names, isolation, nothing half-stored."""

from __future__ import annotations

from typing import Any

import pytest

from backend.core.errors import Conflict, NotFound, ValidationFailed
from backend.workflows.formats import WorkflowFileError
from backend.workflows.graph import GraphError
from backend.workflows.models import Workflow
from backend.workflows.selectors import workflow_get, workflow_list
from backend.workflows.services import workflow_create, workflow_delete, workflow_duplicate, workflow_update
from tests.support.graphs import builder_file, chain, http_node, start_node

pytestmark = pytest.mark.django_db
URL = "https://api.example.test/x"


def _graph(url: str = URL) -> dict[str, Any]:
    return builder_file([start_node(), http_node("ping", url)], chain("start", "ping"))


def test_workflow_create_stores_normalised_builder_graph(user: Any) -> None:
    workflow = workflow_create(owner=user, name="  Ping  ", graph=_graph(), description="d", variables={"x": 1})
    workflow.refresh_from_db()
    assert workflow.name == "Ping"
    assert set(workflow.graph) == {"nodes", "edges"}
    assert workflow.graph["nodes"][1]["data"]["config"]["url"] == URL
    assert workflow.variables == {"x": 1} and workflow.description == "d"


def test_workflow_create_accepts_flattened_graph_and_its_vars(user: Any) -> None:
    flat = {"nodes": [start_node(), http_node("ping", URL)], "edges": chain("start", "ping"), "vars": {"v": "1"}}
    workflow = workflow_create(owner=user, name="Flat", graph=flat)
    assert workflow.graph["nodes"][1]["data"]["config"] == {"method": "GET", "url": URL}
    assert workflow.graph["edges"][0]["id"] == "e-start-ping"
    assert workflow.variables == {"v": "1"}


def test_workflow_create_invalid_graph_stores_nothing(user: Any) -> None:
    bad = builder_file([start_node(), {"id": "p", "type": "http", "config": {}}], chain("start", "p"))
    with pytest.raises(GraphError) as caught:
        workflow_create(owner=user, name="Bad", graph=bad)
    assert caught.value.details["errors"][0]["path"] == "nodes[1].data.config.url"
    assert Workflow.objects.count() == 0


def test_workflow_create_bad_file_shape_stores_nothing(user: Any) -> None:
    graph = _graph()
    graph["edges"][0]["animated"] = True
    with pytest.raises(WorkflowFileError):
        workflow_create(owner=user, name="Bad", graph=graph)
    assert Workflow.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"name": "bell\x07"}, "name"),
        ({"description": 1}, "description"),
        ({"description": "d" * 10_001}, "description"),
        ({"description": "escape \x1b[2J"}, "description"),
        ({"variables": {"key\n": 1}}, "errors"),
        ({"variables": {"k" * 101: 1}}, "errors"),
    ],
)
def test_workflow_create_rejects_bad_fields(user: Any, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        workflow_create(owner=user, **{"name": "ok", "graph": _graph(), **kwargs})
    assert field in caught.value.details


def test_workflow_create_duplicate_name_is_conflict_per_owner(user: Any, other_user: Any) -> None:
    workflow_create(owner=user, name="Same", graph=_graph())
    with pytest.raises(Conflict) as caught:
        workflow_create(owner=user, name="Same", graph=_graph())
    assert caught.value.code == "name_taken" and caught.value.status == 409
    workflow_create(owner=other_user, name="Same", graph=_graph())  # names are per owner
    assert Workflow.objects.filter(name="Same").count() == 2


def test_workflow_update_changes_fields_and_validates_graph(user: Any) -> None:
    workflow = workflow_create(owner=user, name="A", graph=_graph())
    workflow_update(workflow=workflow, name="B", graph=_graph("https://api.example.test/new"), variables={"k": 2})
    workflow.refresh_from_db()
    assert workflow.name == "B" and workflow.variables == {"k": 2}
    assert workflow.graph["nodes"][1]["data"]["config"]["url"] == "https://api.example.test/new"


def test_workflow_update_invalid_graph_changes_nothing(user: Any) -> None:
    workflow = workflow_create(owner=user, name="A", graph=_graph())
    cyclic = builder_file([http_node("a", URL), http_node("b", URL)], chain("a", "b", "a"))
    with pytest.raises(GraphError, match="cycle"):
        workflow_update(workflow=workflow, name="Renamed", graph=cyclic)
    workflow.refresh_from_db()
    assert workflow.name == "A" and len(workflow.graph["nodes"]) == 2


def test_workflow_update_to_taken_name_is_conflict(user: Any) -> None:
    workflow_create(owner=user, name="A", graph=_graph())
    second = workflow_create(owner=user, name="B", graph=_graph())
    with pytest.raises(Conflict):
        workflow_update(workflow=second, name="A")
    second.refresh_from_db()
    assert second.name == "B"
    assert workflow_update(workflow=second, name="B").name == "B"  # keeping your own name is fine


def test_workflow_update_rejects_unknown_fields(user: Any) -> None:
    workflow = workflow_create(owner=user, name="A", graph=_graph())
    with pytest.raises(ValidationFailed) as caught:
        workflow_update(workflow=workflow, owner=None)
    assert "owner" in caught.value.details


def test_workflow_duplicate_picks_a_free_name(user: Any) -> None:
    workflow = workflow_create(owner=user, name="A", graph=_graph(), variables={"x": 1})
    first = workflow_duplicate(workflow=workflow)
    second = workflow_duplicate(workflow=workflow)
    named = workflow_duplicate(workflow=workflow, name="Mine")
    assert (first.name, second.name, named.name) == ("A (copy)", "A (copy 2)", "Mine")
    assert first.graph == workflow.graph and first.variables == {"x": 1} and first.pk != workflow.pk


def test_workflow_delete_removes_it(user: Any) -> None:
    workflow = workflow_create(owner=user, name="A", graph=_graph())
    workflow_delete(workflow=workflow)
    assert not Workflow.objects.exists()


def test_workflow_get_hides_other_users_workflows(user: Any, other_user: Any) -> None:
    workflow = workflow_create(owner=user, name="A", graph=_graph())
    assert workflow_get(user=user, workflow_id=workflow.pk) == workflow
    with pytest.raises(NotFound):
        workflow_get(user=other_user, workflow_id=workflow.pk)
    with pytest.raises(NotFound):
        workflow_get(user=user, workflow_id="not-a-uuid")


def test_workflow_list_is_per_user_newest_updated_first(user: Any, other_user: Any) -> None:
    old = workflow_create(owner=user, name="old", graph=_graph())
    workflow_create(owner=user, name="new", graph=_graph())
    workflow_create(owner=other_user, name="theirs", graph=_graph())
    workflow_update(workflow=old, description="touched")
    assert [w.name for w in workflow_list(user=user)] == ["old", "new"]


def test_workflow_create_race_on_name_is_conflict(user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both requests pass the existence check; the unique constraint decides, and the loser gets 409.
    workflow_create(owner=user, name="Race", graph=_graph())
    monkeypatch.setattr("backend.workflows.services._ensure_name_free", lambda **kwargs: None)
    with pytest.raises(Conflict):
        workflow_create(owner=user, name="Race", graph=_graph())
    assert Workflow.objects.filter(name="Race").count() == 1


def test_workflow_create_limits_are_inclusive_and_descriptions_span_lines(user: Any) -> None:
    workflow = workflow_create(
        owner=user, name="n" * 200, graph=_graph(), description="line one\n\tline two\r\n", variables={"k" * 100: 1}
    )
    workflow.refresh_from_db()
    assert (len(workflow.name), workflow.description) == (200, "line one\n\tline two\r\n")


def test_workflow_update_leaves_a_stored_name_over_new_limits_alone(user: Any) -> None:
    """A row stored before a limit existed still reads and takes edits of its other fields."""
    workflow = workflow_create(owner=user, name="ok", graph=_graph())
    Workflow.objects.filter(pk=workflow.pk).update(name="old\nname")
    workflow.refresh_from_db()
    workflow_update(workflow=workflow, description="still editable")
    assert Workflow.objects.get(pk=workflow.pk).description == "still editable"
