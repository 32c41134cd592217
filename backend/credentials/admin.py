"""Admin for credentials (previews and dates only; a write-only field replaces the value) and for the
passphrase vaults and their unlocks (metadata only: no key material is ever shown)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from backend.core.errors import ValidationFailed
from backend.core.readonly_admin import ReadOnlyAdmin
from backend.credentials.models import Credential, VaultGrant, VaultKey
from backend.credentials.passphrase_services import vault_reset
from backend.credentials.services import credential_create, credential_update_value, credential_validate_input


class CredentialAdminForm(forms.ModelForm):
    # render_value=False: a redisplayed form (after an error) never sends the value back to the browser.
    new_value = forms.CharField(
        label="Value",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only. Leave empty to keep the current value. basic_auth values are 'user:password'.",
    )

    class Meta:
        model = Credential
        fields = ("owner", "name", "kind", "options")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        adding = self.instance._state.adding
        value = data.get("new_value") or None
        if adding and value is None:
            self.add_error("new_value", "a value is required")
        kind = data.get("kind") if adding else self.instance.kind
        if kind:
            try:
                credential_validate_input(kind=kind, value=value, options=data.get("options"))
            except ValidationFailed as exc:
                for field, messages in exc.details.items():
                    target = "new_value" if field == "value" else field
                    for message in messages:
                        self.add_error(target if target in self.fields else None, message)
        return data


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = ("name", "owner", "kind", "masked_value", "protected", "created_at", "updated_at", "last_used_at")
    list_filter = ("kind", "protected")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
    fields = (
        "owner",
        "name",
        "kind",
        "options",
        "new_value",
        "masked_value",
        "protected",
        "key_id",
        "created_at",
        "updated_at",
        "last_used_at",
    )
    readonly_fields = ("masked_value", "protected", "key_id", "created_at", "updated_at", "last_used_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Credential | None = None) -> Any:
        # Owner and kind are part of the ciphertext's associated data: changing them would orphan it.
        base = tuple(self.readonly_fields)
        return base if obj is None else (*base, "owner", "kind")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("ciphertext", "nonce")

    def save_model(self, request: HttpRequest, obj: Credential, form: Any, change: bool) -> None:
        value = form.cleaned_data.get("new_value") or None
        if not change:
            created = credential_create(
                owner=obj.owner, name=obj.name, kind=obj.kind, value=value, options=obj.options or {}
            )
            for field in Credential._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state.adding = False
            return
        obj.save(update_fields=["name", "options", "updated_at"])
        if value is not None:
            credential_update_value(credential=obj, value=value)


@admin.register(VaultKey)
class VaultKeyAdmin(ReadOnlyAdmin):
    list_display = ("user", "protected_credentials", "created_at", "updated_at")
    fields = ("user", "kdf_name", "protected_credentials", "created_at", "updated_at")
    readonly_fields = fields
    actions = ("reset_vaults",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .only("user__username", "kdf", "created_at", "updated_at")
        )

    @admin.display(description="key derivation")
    def kdf_name(self, obj: VaultKey) -> str:
        kdf = obj.kdf or {}
        return f"{kdf.get('name')} (n={kdf.get('n')}, r={kdf.get('r')}, p={kdf.get('p')})"

    @admin.display(description="protected credentials")
    def protected_credentials(self, obj: VaultKey) -> int:
        return Credential.objects.filter(owner_id=obj.user_id, protected=True).count()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting the row alone would leave its credentials unreadable: the reset action deletes both.
        return False

    @admin.action(description="Reset the vault (deletes the credentials it protects)")
    def reset_vaults(self, request: HttpRequest, queryset: Any) -> None:
        for key in queryset:
            names = vault_reset(user=key.user)
            self.message_user(request, f"{key.user}: vault reset, {len(names)} protected credential(s) deleted")


@admin.register(VaultGrant)
class VaultGrantAdmin(ReadOnlyAdmin):
    """Unlocks in force; deleting one revokes it."""

    list_display = ("user", "created_at", "expires_at")
    fields = ("id", "user", "created_at", "expires_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("sealed_private_key", "nonce", "holder")
