"""Every write to a workflow: create, update, delete, duplicate, restore a version; graphs are compiled
before they are stored, and each change of graph or vars is kept as the workflow's next version."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backend.core.errors import Conflict, NotFound, ValidationFailed
from backend.core.limits import WORKFLOW_DESCRIPTION_MAX, WORKFLOW_NAME_MAX, text_problem
from backend.core.types import Owner, Uuid
from backend.workflows.changes import change_summary
from backend.workflows.formats import normalize_graph, parse_vars
from backend.workflows.graph import compile_graph
from backend.workflows.models import VERSION_SUMMARY_MAX, Workflow, WorkflowVersion

NAME_MAX = WORKFLOW_NAME_MAX
DESCRIPTION_MAX = WORKFLOW_DESCRIPTION_MAX
_UPDATABLE = frozenset({"name", "description", "graph", "variables", "failure_workflow_id"})
FAILURE_FIELD = "failureWorkflowId"  # the API's name for failure_workflow_id, which errors name


def workflow_create(
    *,
    owner: Owner,
    name: str,
    graph: Mapping[str, Any],
    description: str = "",
    variables: Mapping[str, Any] | None = None,
    rename_if_taken: bool = False,
    failure_workflow_id: Uuid | None = None,
) -> Workflow:
    """Store a new workflow as its version 1; 400 for a graph the compiler rejects or a failure
    workflow that is not the owner's, 409 `name_taken` for a used name, unless `rename_if_taken`,
    which picks the first free "Name (2)", "Name (3)", … as an import does."""
    failure_workflow = _clean_failure_workflow(owner=owner, value=failure_workflow_id)
    clean_name = _clean_name(name)
    clean_description = _clean_description(description)
    clean_graph, graph_vars = _clean_graph(graph)
    clean_vars = parse_vars(variables) if variables is not None else graph_vars or {}
    for _ in range(_RENAME_TRIES if rename_if_taken else 1):
        chosen = _free_name(owner=owner, name=clean_name) if rename_if_taken else clean_name
        try:
            with transaction.atomic():
                _ensure_name_free(owner=owner, name=chosen)
                workflow = Workflow.objects.create(
                    owner=owner, name=chosen, description=clean_description, graph=clean_graph, variables=clean_vars,
                    failure_workflow=failure_workflow, version=1,
                )  # fmt: skip
                _store_version(workflow, number=1, by=owner, summary="created")
                return workflow
        except IntegrityError:
            # A concurrent create won the race for this name between our check and our insert.
            continue
    raise _name_taken(clean_name)


def workflow_update(*, workflow: Workflow, by: Owner | None = None, **fields: Any) -> Workflow:
    """Change any of name, description, graph, variables, failure_workflow_id; all checks pass before
    anything is saved. A change of graph or vars is stored as the next version, made `by` someone
    (the owner unless told)."""
    unknown = sorted(set(fields) - _UPDATABLE)
    if unknown:
        raise ValidationFailed(
            f"unknown field(s): {', '.join(unknown)}", details={name: ["unknown field"] for name in unknown}
        )
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = _clean_name(fields["name"])
    if "description" in fields:
        changes["description"] = _clean_description(fields["description"])
    if "graph" in fields:
        changes["graph"], graph_vars = _clean_graph(fields["graph"])
        # A builder file carries its own `vars`; an explicit `variables` argument still wins.
        if graph_vars is not None and "variables" not in fields:
            changes["variables"] = graph_vars
    if "variables" in fields:
        changes["variables"] = parse_vars(fields["variables"] if fields["variables"] is not None else {})
    if "failure_workflow_id" in fields:
        changes["failure_workflow"] = _clean_failure_workflow(owner=workflow.owner, value=fields["failure_workflow_id"])
    if not changes:
        return workflow
    try:
        with transaction.atomic():
            if "name" in changes and changes["name"] != workflow.name:
                _ensure_name_free(owner=workflow.owner, name=changes["name"], exclude_id=workflow.pk)
            _save_changes(workflow, changes, by=by or workflow.owner)
    except IntegrityError:
        workflow.refresh_from_db()
        raise _name_taken(changes.get("name", workflow.name)) from None
    return workflow


def workflow_restore(*, workflow: Workflow, number: int, by: Owner | None = None) -> Workflow:
    """The workflow takes version `number`'s graph and vars, kept as a new version that says so;
    NotFound when the workflow has no such version."""
    version = WorkflowVersion.objects.filter(workflow=workflow, number=number).first()
    if version is None:
        raise NotFound(f"workflow has no version {number}", details={"number": number})
    graph, _ = _clean_graph(version.graph)
    changes = {"graph": graph, "variables": dict(version.variables or {})}
    with transaction.atomic():
        _save_changes(workflow, changes, by=by or workflow.owner, restored=number)
    return workflow


def workflow_admin_save(*, workflow: Workflow, changed: list[str], by: Owner) -> None:
    """Save what the admin form changed (already set on `workflow`), keeping versions as the API does."""
    with transaction.atomic():
        if workflow._state.adding:
            workflow.version = 1
            workflow.save()
            _store_version(workflow, number=1, by=by, summary="created")
        elif changed:
            _save_changes(workflow, {name: getattr(workflow, name) for name in changed}, by=by)


def _save_changes(workflow: Workflow, changes: dict[str, Any], *, by: Owner, restored: int | None = None) -> None:
    """Inside a transaction: lock the row, save `changes`, and store the next version when graph or vars
    differ from what the locked row holds (a restore always stores one). The lock serialises saves of
    one workflow, so each reads the number the previous one wrote."""
    locked = Workflow.objects.select_for_update().only("version", "graph", "variables").get(pk=workflow.pk)
    old_graph, old_vars = locked.graph or {}, dict(locked.variables or {})
    new_graph = changes.get("graph", old_graph)
    new_vars = changes.get("variables", old_vars)
    content_changed = new_graph != old_graph or new_vars != old_vars
    for attr, value in changes.items():
        setattr(workflow, attr, value)
    workflow.version = locked.version
    update_fields = [*changes, "updated_at"]
    if content_changed or restored is not None:
        workflow.version = locked.version + 1
        update_fields.append("version")
        summary = change_summary(old_graph, old_vars, new_graph, new_vars)
        if restored is not None:
            summary = f"restored version {restored}" + ("" if summary == "no visible change" else f" ({summary})")
        _store_version(workflow, number=workflow.version, by=by, summary=summary)
    workflow.save(update_fields=update_fields)


def _store_version(workflow: Workflow, *, number: int, by: Owner | None, summary: str) -> WorkflowVersion:
    return WorkflowVersion.objects.create(
        workflow=workflow,
        number=number,
        graph=workflow.graph,
        variables=dict(workflow.variables or {}),
        created_by=by,
        summary=_fit(summary),
    )


def _fit(summary: str) -> str:
    return summary if len(summary) <= VERSION_SUMMARY_MAX else summary[: VERSION_SUMMARY_MAX - 1] + "…"


def _clean_failure_workflow(*, owner: Owner, value: Any) -> Workflow | None:
    """The owner's workflow `value` names (None clears); 400 naming the field for anything else, so
    another user's workflow is indistinguishable from a missing one."""
    if value in (None, ""):
        return None
    try:
        found = Workflow.objects.filter(pk=value, owner=owner).first()
    except (ValidationError, ValueError, TypeError):
        found = None
    if found is None:
        raise ValidationFailed(
            f"`{FAILURE_FIELD}` must name one of your workflows",
            details={FAILURE_FIELD: ["not one of your workflows"]},
        )
    return found


def workflow_delete(*, workflow: Workflow) -> None:
    """Delete the workflow; its past runs stay (they keep their own copy of the graph)."""
    workflow.delete()


def workflow_duplicate(*, workflow: Workflow, name: str | None = None) -> Workflow:
    """A copy owned by the same user, named `<name> (copy)` (or `(copy 2)`, … when that is taken)."""
    return workflow_create(
        owner=workflow.owner,
        name=name if name is not None else _copy_name(workflow),
        graph=workflow.graph,
        description=workflow.description,
        variables=dict(workflow.variables or {}),
        failure_workflow_id=workflow.failure_workflow_id,
    )


def _clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("`name` must be a non-empty string", details={"name": ["must be a non-empty string"]})
    name = name.strip()
    problem = text_problem(name, max_chars=NAME_MAX)
    if problem:
        raise ValidationFailed(f"`name` {problem}", details={"name": [problem]})
    return name


def _clean_description(description: Any) -> str:
    if description is None:
        return ""
    problem = text_problem(description, max_chars=DESCRIPTION_MAX, multiline=True, allow_empty=True)
    if problem:
        raise ValidationFailed(f"`description` {problem}", details={"description": [problem]})
    return description


def _clean_graph(graph: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(graph in builder form, its `vars` or None); the compiler runs on what the client sent so
    error paths match the client's document."""
    normalised = normalize_graph(graph)
    compile_graph(graph)
    graph_vars = parse_vars(graph["vars"]) if "vars" in graph else None
    return normalised, graph_vars


_RENAME_TRIES = 5


def _free_name(*, owner: Owner, name: str) -> str:
    """`name` itself when unused, else `name (N)` with the smallest N >= 2 no workflow of the owner has."""
    base = re.sub(r" \((\d+)\)$", "", name)
    used = set(Workflow.objects.filter(owner=owner, name__startswith=base).values_list("name", flat=True))
    if name not in used:
        return name
    number = 2
    while f"{base} ({number})" in used:
        number += 1
    suffix = f" ({number})"
    return f"{base[: WORKFLOW_NAME_MAX - len(suffix)]}{suffix}"  # a long base is shortened, the suffix kept


def _ensure_name_free(*, owner: Owner, name: str, exclude_id: Uuid | None = None) -> None:
    taken = Workflow.objects.filter(owner=owner, name=name)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise _name_taken(name)


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"you already have a workflow named {name!r}", code="name_taken", details={"name": ["already taken"]}
    )


def _copy_name(workflow: Workflow) -> str:
    used = set(Workflow.objects.filter(owner=workflow.owner).values_list("name", flat=True))
    base = workflow.name[: NAME_MAX - 12]
    candidate, number = f"{base} (copy)", 2
    while candidate in used:
        candidate, number = f"{base} (copy {number})", number + 1
    return candidate
