"""Credential: a named secret of one owner, stored only as AES-GCM ciphertext plus a masked preview."""

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="credential_unique_name_per_owner")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
