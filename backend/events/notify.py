"""Channel-layer pokes for run listeners (the live-runs work wires the consumers)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def group_name(run_id: str) -> str:
    return f"run.{run_id}"


def notify_run(*, run_id: str, seq: int) -> None:
    """No-op until websocket consumers exist; kept as the single place pokes are sent from."""
    return None
