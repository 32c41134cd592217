"""Credential: a named secret of one owner, stored only as ciphertext plus a masked preview; the
owner's optional passphrase vault (VaultKey) and its short-lived unlocks (VaultGrant)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,100}$"
name_validator = RegexValidator(NAME_PATTERN, "use 1 to 100 letters, digits, '_', '.' or '-'")


class CredentialKind(models.TextChoices):
    BEARER_TOKEN = "bearer_token", "Bearer token"
    API_KEY_HEADER = "api_key_header", "API key header"
    BASIC_AUTH = "basic_auth", "Basic auth (user:password)"
    SECRET_TEXT = "secret_text", "Secret text"


class Credential(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(max_length=100, validators=[name_validator])
    kind = models.CharField(max_length=32, choices=CredentialKind.choices)
    options = models.JSONField(default=dict, blank=True)  # non-secret, e.g. {"headerName": "X-Api-Key"}
    # Sealed by vault.encrypt; the associated data binds it to key_id, owner, id and kind.
    ciphertext = models.BinaryField(editable=False)
    nonce = models.BinaryField(editable=False)
    key_id = models.CharField(max_length=32, editable=False)
    # Computed when the value is written so listing never needs to decrypt.
    masked_value = models.CharField(max_length=32, editable=False)
    # Sealed to the owner's VaultKey: only their passphrase (or a live unlock grant) opens it.
    protected = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="credential_unique_name_per_owner")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class VaultKey(models.Model):
    """A user's passphrase vault: the public half seals values, the private half is wrapped by the passphrase."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_key")
    public_key = models.BinaryField(editable=False)
    wrapped_private_key = models.BinaryField(editable=False)
    nonce = models.BinaryField(editable=False)
    # The key derivation and its parameters (salt included), kept with the key they unwrap.
    kdf = models.JSONField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"vault of {self.user}"


class VaultGrant(models.Model):
    """An unlock: the private key sealed under the server's keyring until it expires or is revoked.

    `holder` names who unlocked (a login session or an API token, hashed); runs they start carry
    the grant's id to the workers.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_grants")
    holder = models.CharField(max_length=80, db_index=True, editable=False)
    key_id = models.CharField(max_length=32, editable=False)
    nonce = models.BinaryField(editable=False)
    sealed_private_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"unlock of {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"
