"""Admin for API tokens: the digest is never shown, only the lookup prefix; staff revoke any user's tokens."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from backend.accounts.models import ApiToken
from backend.accounts.services import tokens_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "lookup", "user__username")
    fields = ("user", "name", "lookup", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "lookup", "created_at", "last_used_at")
    actions = ["revoke_selected"]

    def has_add_permission(self, request: object) -> bool:
        return False  # tokens are created by `create_api_token` so the plaintext is shown once

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = tokens_revoke(tokens=queryset)
        self.message_user(request, f"Revoked {revoked} token(s); they are refused from the next request on.")
