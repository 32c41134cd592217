"""Webhook and Schedule: the two ways a saved workflow starts without a person pressing Run."""

from __future__ import annotations

import uuid

from django.db import models

from backend.workflows.models import Workflow


class SignaturePreset(models.TextChoices):
    NONE = "none"
    GITHUB = "github"  # X-Hub-Signature-256: sha256=<hex>
    STRIPE = "stripe"  # Stripe-Signature: t=<unix>,v1=<hex>
    GENERIC = "generic"  # <header>: <hex> (an optional `sha256=` prefix is accepted)


class RespondMode(models.TextChoices):
    IMMEDIATELY = "immediately"  # 202 {"runId"} as soon as the run is stored
    RESULT = "result"  # wait (bounded) for the run and answer with a step's output


class Webhook(models.Model):
    """A workflow's hook. The URL token is kept as a digest (the lookup) and sealed under the server
    keyring (to show the URL again to its owner); the HMAC secret only sealed, with a masked preview."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workflow = models.OneToOneField(Workflow, on_delete=models.CASCADE, related_name="webhook")
    enabled = models.BooleanField(default=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_key_id = models.CharField(max_length=32, editable=False)
    token_nonce = models.BinaryField(editable=False)
    token_ciphertext = models.BinaryField(editable=False)
    signature = models.CharField(max_length=16, choices=SignaturePreset.choices, default=SignaturePreset.NONE)
    signature_header = models.CharField(max_length=100, blank=True, default="")  # the generic preset's header
    secret_key_id = models.CharField(max_length=32, blank=True, default="", editable=False)
    secret_nonce = models.BinaryField(null=True, editable=False)
    secret_ciphertext = models.BinaryField(null=True, editable=False)
    secret_masked = models.CharField(max_length=32, blank=True, default="", editable=False)
    stripe_tolerance_s = models.PositiveIntegerField(default=300)
    dedup_header = models.CharField(max_length=100, blank=True, default="Idempotency-Key")
    max_body_bytes = models.PositiveIntegerField(default=256 * 1024)
    respond = models.CharField(max_length=16, choices=RespondMode.choices, default=RespondMode.IMMEDIATELY)
    respond_node = models.CharField(max_length=100, blank=True, default="")
    respond_timeout_s = models.PositiveIntegerField(default=10)
    failure_status = models.PositiveIntegerField(default=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    token_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"webhook of {self.workflow}"


class ScheduleKind(models.TextChoices):
    CRON = "cron"
    INTERVAL = "interval"


class IntervalUnit(models.TextChoices):
    MINUTES = "minutes"
    HOURS = "hours"


class Schedule(models.Model):
    """A workflow's schedule; beat fires it through one django_celery_beat PeriodicTask kept in sync."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workflow = models.OneToOneField(Workflow, on_delete=models.CASCADE, related_name="schedule")
    kind = models.CharField(max_length=16, choices=ScheduleKind.choices, default=ScheduleKind.CRON)
    cron = models.CharField(max_length=120, blank=True, default="")
    timezone = models.CharField(max_length=64, default="UTC")
    interval_every = models.PositiveIntegerField(null=True, blank=True)
    interval_unit = models.CharField(max_length=16, choices=IntervalUnit.choices, blank=True, default="")
    enabled = models.BooleanField(default=True)
    # No reverse accessor: PeriodicTask.schedule is beat's own property (the task's interval or crontab).
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    last_tick = models.DateTimeField(null=True, blank=True, editable=False)
    last_fired_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_id = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"schedule of {self.workflow}"
