"""API tokens: shown once, stored as a SHA-256 hash with a visible prefix for lookup."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backend.core.limits import TOKEN_NAME_MAX
from backend.core.models import TimeStampedModel


class ApiToken(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=TOKEN_NAME_MAX, default="default")
    # The first characters after the fixed prefix; enough to find the row without the secret.
    lookup = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (aos_{self.lookup}…)"
