"""Admin for workflows: list, search, filter; a graph edited here passes the same compiler as the API,
and its versions are listed read-only (a save here keeps a version as the API's does)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from backend.core.errors import ValidationFailed
from backend.core.readonly_admin import ReadOnlyAdmin
from backend.workflows.formats import normalize_graph, parse_vars
from backend.workflows.graph import compile_graph
from backend.workflows.models import Workflow, WorkflowVersion
from backend.workflows.services import workflow_admin_save


class WorkflowAdminForm(forms.ModelForm):
    class Meta:
        model = Workflow
        fields = ("owner", "name", "description", "graph", "variables", "failure_workflow")

    def clean_graph(self) -> Any:
        graph = self.cleaned_data["graph"]
        try:
            normalised = normalize_graph(graph)
            compile_graph(graph)
        except ValidationFailed as exc:
            raise forms.ValidationError([e["message"] for e in exc.details.get("errors", [])] or exc.message) from None
        return normalised

    def clean_variables(self) -> Any:
        try:
            return parse_vars(self.cleaned_data["variables"] or {})
        except ValidationFailed as exc:
            raise forms.ValidationError([e["message"] for e in exc.details.get("errors", [])] or exc.message) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        target, owner = cleaned.get("failure_workflow"), cleaned.get("owner")
        if target is not None and owner is not None and target.owner_id != owner.pk:
            self.add_error("failure_workflow", "must be a workflow of the same owner")
        return cleaned


class WorkflowVersionInline(admin.TabularInline):
    model = WorkflowVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("number", "summary", "created_by", "created_at")
    readonly_fields = fields
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    form = WorkflowAdminForm
    list_display = ("name", "owner", "version", "node_count", "updated_at", "created_at")
    list_filter = ("updated_at", "created_at")
    search_fields = ("name", "description", "owner__username", "id")
    list_select_related = ("owner",)
    readonly_fields = ("id", "version", "created_at", "updated_at")
    raw_id_fields = ("failure_workflow",)
    date_hierarchy = "updated_at"
    ordering = ("-updated_at",)
    inlines = [WorkflowVersionInline]

    @admin.display(description="nodes")
    def node_count(self, obj: Workflow) -> int:
        return len((obj.graph or {}).get("nodes") or [])

    def save_model(self, request: HttpRequest, obj: Workflow, form: forms.ModelForm, change: bool) -> None:
        by = request.user if request.user.is_authenticated else obj.owner
        workflow_admin_save(workflow=obj, changed=list(form.changed_data), by=by)


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(ReadOnlyAdmin):
    list_display = ("workflow", "number", "summary", "created_by", "created_at")
    search_fields = ("workflow__name", "workflow__id", "summary")
    list_select_related = ("workflow", "created_by")
    readonly_fields = ("workflow", "number", "summary", "created_by", "created_at", "graph", "variables")
    ordering = ("-created_at",)
