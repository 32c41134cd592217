"""The API's JSON for a webhook and a schedule (camelCase; secrets masked, never in clear)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.core.timefmt import iso_ms
from backend.credentials.vault import VaultError
from backend.triggers.models import Schedule, ScheduleKind, Webhook
from backend.triggers.schedule_services import next_run_times
from backend.triggers.signatures import signature_header
from backend.triggers.webhook_services import webhook_token


def _path(hook: Webhook) -> str | None:
    try:
        return f"/hooks/{webhook_token(hook)}"
    except VaultError:
        # Sealed with a key no longer configured (see rotate_webhooks): only a new URL helps.
        return None


def webhook_document(hook: Webhook, *, base_url: str) -> dict[str, Any]:
    path = _path(hook)
    return {
        "workflowId": str(hook.workflow_id),
        "enabled": hook.enabled,
        "url": base_url.rstrip("/") + path if path else None,
        "path": path,
        "signature": hook.signature,
        "signatureHeader": signature_header(hook.signature, hook.signature_header) if hook.signature != "none" else "",
        "secretSet": bool(hook.secret_ciphertext),
        "secretPreview": hook.secret_masked,
        "stripeToleranceS": hook.stripe_tolerance_s,
        "dedupHeader": hook.dedup_header,
        "maxBodyBytes": hook.max_body_bytes,
        "respond": hook.respond,
        "respondNode": hook.respond_node,
        "respondTimeoutS": hook.respond_timeout_s,
        "failureStatus": hook.failure_status,
        "createdAt": iso_ms(hook.created_at),
        "updatedAt": iso_ms(hook.updated_at),
        "tokenRotatedAt": iso_ms(hook.token_rotated_at),
    }


def schedule_document(schedule: Schedule, *, now: datetime) -> dict[str, Any]:
    cron = schedule.kind == ScheduleKind.CRON
    return {
        "workflowId": str(schedule.workflow_id),
        "enabled": schedule.enabled,
        "kind": schedule.kind,
        "cron": schedule.cron if cron else None,
        "timezone": schedule.timezone,
        "interval": None if cron else {"every": schedule.interval_every, "unit": schedule.interval_unit},
        # Paused, nothing runs: the times would mislead.
        "nextRuns": [iso_ms(t) for t in next_run_times(schedule, now)] if schedule.enabled else [],
        "lastTick": iso_ms(schedule.last_tick),
        "lastFiredAt": iso_ms(schedule.last_fired_at),
        "lastRunId": str(schedule.last_run_id) if schedule.last_run_id else None,
        "lastError": schedule.last_error,
        "createdAt": iso_ms(schedule.created_at),
        "updatedAt": iso_ms(schedule.updated_at),
    }
