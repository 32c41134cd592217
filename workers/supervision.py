"""Turns a Celery worker that stopped working into a process that exits, so its supervisor
(docker's restart policy, `make run`) starts a fresh one.

Celery stops a worker after an "unrecoverable error" in its consumer (seen here: kombu failing
inside its own reconnect during a Redis restart), but that warm shutdown can wedge on the dead
broker and leave a process that is alive and consumes nothing. The database keeps every step, so
exiting loses no work; hanging would stall every run until someone noticed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from celery import bootsteps
from django.conf import settings

logger = logging.getLogger(__name__)
_CHECK_S = 1.0
_RUN = getattr(bootsteps, "RUN", 1)  # the blueprint state of a working worker (not in the type stubs)


def guard(worker: Any) -> None:
    """Watch `worker` (a Celery WorkController) from a daemon thread."""
    grace = float(getattr(settings, "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", 30.0)) + 15.0
    threading.Thread(target=_watch, args=(worker, grace), name="aos-worker-guard", daemon=True).start()


def _watch(worker: Any, grace: float) -> None:
    was_running, stopping_since = False, 0.0
    while True:
        time.sleep(_CHECK_S)
        state = getattr(getattr(worker, "blueprint", None), "state", None)
        if state == _RUN:
            was_running, stopping_since = True, 0.0
            continue
        if not was_running:
            continue  # still starting up
        stopping_since = stopping_since or time.monotonic()
        if time.monotonic() - stopping_since > grace:
            logger.critical("worker shutdown wedged for %.0fs; exiting so a fresh worker takes over", grace)
            logging.shutdown()
            os._exit(getattr(worker, "exitcode", None) or 1)
