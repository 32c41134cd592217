"""Admin for webhooks and schedules: browse and delete; the token and secret are never shown."""

from __future__ import annotations

from django.contrib import admin

from backend.core.readonly_admin import ReadOnlyAdmin
from backend.triggers.models import Schedule, Webhook


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ("workflow", "enabled", "signature", "respond", "updated_at")
    list_filter = ("enabled", "signature", "respond")
    search_fields = ("workflow__name", "workflow__owner__username")
    # The token digest and both ciphertexts stay out: a URL and a secret are the hook's keys.
    fields = (
        "workflow", "enabled", "signature", "signature_header", "secret_masked", "stripe_tolerance_s",
        "dedup_header", "max_body_bytes", "respond", "respond_node", "respond_timeout_s", "failure_status",
        "created_at", "updated_at", "token_rotated_at",
    )  # fmt: skip
    readonly_fields = fields


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ("workflow", "kind", "cron", "timezone", "interval_every", "interval_unit", "enabled", "last_tick")
    list_filter = ("enabled", "kind")
    search_fields = ("workflow__name", "workflow__owner__username")
    fields = (
        "workflow", "kind", "cron", "timezone", "interval_every", "interval_unit", "enabled", "periodic_task",
        "last_tick", "last_fired_at", "last_run_id", "last_error", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = fields
