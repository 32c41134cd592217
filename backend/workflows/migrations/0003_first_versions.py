"""Every workflow saved before versions existed becomes its own version 1."""

from typing import Any

from django.db import migrations


def first_versions(apps: Any, schema_editor: Any) -> None:
    Workflow = apps.get_model("workflows", "Workflow")
    WorkflowVersion = apps.get_model("workflows", "WorkflowVersion")
    for workflow in Workflow.objects.filter(version=0).iterator():
        WorkflowVersion.objects.create(
            workflow_id=workflow.pk,
            number=1,
            graph=workflow.graph,
            variables=workflow.variables,
            created_by_id=workflow.owner_id,
            summary="version 1 (saved before versions were kept)",
        )
        Workflow.objects.filter(pk=workflow.pk).update(version=1)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_versions_and_failure_hook")]

    operations = [migrations.RunPython(first_versions, migrations.RunPython.noop)]
