"""Admin for workflows: list, search, filter; a graph edited here passes the same compiler as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from backend.core.errors import ValidationFailed
from backend.workflows.formats import normalize_graph, parse_vars
from backend.workflows.graph import compile_graph
from backend.workflows.models import Workflow


class WorkflowAdminForm(forms.ModelForm):
    class Meta:
        model = Workflow
        fields = ("owner", "name", "description", "graph", "variables")

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


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    form = WorkflowAdminForm
    list_display = ("name", "owner", "node_count", "updated_at", "created_at")
    list_filter = ("updated_at", "created_at")
    search_fields = ("name", "description", "owner__username", "id")
    list_select_related = ("owner",)
    readonly_fields = ("id", "created_at", "updated_at")
    date_hierarchy = "updated_at"
    ordering = ("-updated_at",)

    @admin.display(description="nodes")
    def node_count(self, obj: Workflow) -> int:
        return len((obj.graph or {}).get("nodes") or [])
