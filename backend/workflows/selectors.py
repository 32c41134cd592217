"""Reads of workflows, always scoped to the user asking: another user's workflow does not exist."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from backend.core.errors import NotFound
from backend.core.types import Owner, Uuid
from backend.workflows.models import Workflow

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
