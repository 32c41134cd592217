"""Reads of workflows, always scoped to the user asking: another user's workflow does not exist."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from backend.core.errors import NotFound
from backend.core.types import Owner, Uuid
from backend.workflows.models import Workflow, WorkflowVersion

# The orderings a list may ask for; the first is the default.
WORKFLOW_ORDERINGS = ("-updated_at", "updated_at", "-created_at", "created_at", "name", "-name")


def workflow_list(*, user: Owner, ordering: str = WORKFLOW_ORDERINGS[0]) -> QuerySet[Workflow]:
    """The user's workflows, most recently updated first by default (id breaks ties so pages never overlap)."""
    return Workflow.objects.filter(owner=user).order_by(ordering, "-id")


def workflow_get(*, user: Owner, workflow_id: Uuid) -> Workflow:
    """The user's workflow; NotFound (404, never 403) when it is missing or belongs to someone else."""
    try:
        return Workflow.objects.get(pk=workflow_id, owner=user)
    except (Workflow.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound("workflow not found", details={"workflowId": str(workflow_id)}) from None


# The orderings a version list may ask for; the first is the default.
VERSION_ORDERINGS = ("-number", "number")


def version_list(*, workflow: Workflow, ordering: str = VERSION_ORDERINGS[0]) -> QuerySet[WorkflowVersion]:
    """The workflow's versions, newest first, without their graphs (a listing never needs them)."""
    versions = WorkflowVersion.objects.filter(workflow=workflow).select_related("created_by")
    return versions.defer("graph", "variables").order_by(ordering)


def version_get(*, workflow: Workflow, number: int) -> WorkflowVersion:
    """One version of a workflow the caller already holds (so it is theirs); NotFound when missing."""
    version = WorkflowVersion.objects.filter(workflow=workflow, number=number).select_related("created_by").first()
    if version is None:
        raise NotFound(f"workflow has no version {number}", details={"number": number})
    return version
