"""Channel-layer pokes telling run listeners that new events are stored."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def group_name(run_id: str) -> str:
    return f"run.{run_id}"


def notify_run(*, run_id: str, seq: int) -> None:
    """Best effort: a lost poke only delays a listener until its next timed read of the log."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(run_id), {"type": "run.poke", "seq": seq})
    except Exception as exc:  # the run itself must never fail because a listener could not be told
        logger.warning("could not poke run %s listeners: %s", run_id, type(exc).__name__)
