"""Admin for API tokens: the digest is never shown, only the lookup prefix."""

from __future__ import annotations

from django.contrib import admin

from backend.accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "lookup", "user__username")
    fields = ("user", "name", "lookup", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "lookup", "created_at", "last_used_at")

    def has_add_permission(self, request: object) -> bool:
        return False  # tokens are created by `create_api_token` so the plaintext is shown once
