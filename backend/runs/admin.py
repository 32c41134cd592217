"""Admin for runs, their steps and events (read-only: the engine is the only writer)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from backend.core.readonly_admin import ReadOnlyAdmin
from backend.runs.models import Run, RunEvent, Step


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class StepInline(ReadOnlyInline):
    model = Step
    fields = ("node_id", "label", "kind", "status", "attempt", "duration_ms", "error")


class RunEventInline(ReadOnlyInline):
    model = RunEvent
    fields = ("seq", "ts", "level", "node_id", "type", "message")


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "workflow", "status", "trigger", "created_at", "finished_at")
    list_filter = ("status", "trigger")
    search_fields = ("id", "owner__username", "idempotency_key", "request_id")
    inlines = [StepInline, RunEventInline]


@admin.register(Step)
class StepAdmin(ReadOnlyAdmin):
    list_display = ("node_id", "run", "kind", "status", "attempt", "duration_ms", "started_at")
    list_filter = ("status", "kind")
    search_fields = ("node_id", "run__id")


@admin.register(RunEvent)
class RunEventAdmin(ReadOnlyAdmin):
    list_display = ("run", "seq", "ts", "level", "type", "node_id", "message")
    list_filter = ("level", "type")
