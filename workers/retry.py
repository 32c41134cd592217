"""When the engine runs a failed step again: kinds whose config has RetrySettings, after a doubling wait."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from workers.executors.base import MAX_RETRY_WAIT_S, RetrySettings
from workers.executors.registry import SPECS


def retry_at(*, kind: str, config: Mapping[str, Any], attempt: int, now: datetime) -> datetime | None:
    """The moment attempt `attempt + 1` of a failed step is due, or None when it gets no other attempt.

    `config` is the compiled one, which keeps only the fields a user set: the rest are the model's
    defaults. The I/O kinds retry inside their own transfer and never reach here."""
    model = SPECS[kind].config_model
    if not issubclass(model, RetrySettings):
        return None
    fields = model.model_fields
    retries = int(config.get("retries", fields["retries"].default))
    if attempt > retries:
        return None
    first = float(config.get("retry_backoff_s", fields["retry_backoff_s"].default))
    return now + timedelta(seconds=min(first * 2 ** (attempt - 1), MAX_RETRY_WAIT_S))
