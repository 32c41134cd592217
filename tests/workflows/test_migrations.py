"""The data migration: each workflow saved before versions existed becomes its own version 1."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("workflows", "0001_initial")]
AFTER = [("workflows", "0003_first_versions")]


@pytest.mark.django_db(transaction=True)
def test_migration_first_versions_gives_each_workflow_version_one(user: Any) -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        graph = {"nodes": [{"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "data": {}}], "edges": []}
        made = old.get_model("workflows", "Workflow").objects.create(
            owner_id=user.pk, name="Old", graph=graph, variables={"a": 1}
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        workflow = new.get_model("workflows", "Workflow").objects.get(pk=made.pk)
        [version] = new.get_model("workflows", "WorkflowVersion").objects.filter(workflow_id=made.pk)
        assert workflow.version == 1
        assert (version.number, version.graph, version.variables) == (1, graph, {"a": 1})
        assert version.created_by_id == user.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
