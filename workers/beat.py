"""A worker process's liveness beat: a daemon thread records it every few seconds until shutdown."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import connection

from backend.core.liveness import BEAT_INTERVAL_S, worker_beat, worker_gone

logger = logging.getLogger(__name__)
_stop = threading.Event()


def _name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _beat_forever(name: str) -> None:
    while True:
        try:
            worker_beat(name=name)
        except Exception:
            # A database outage must not end the beats: the next one reports the worker again.
            logger.warning("worker beat not recorded", exc_info=True)
        finally:
            connection.close()  # hand the pooled connection back between beats
        if _stop.wait(BEAT_INTERVAL_S):
            return


def start() -> None:
    _stop.clear()
    threading.Thread(target=_beat_forever, args=(_name(),), name="aos-worker-beat", daemon=True).start()


def stop() -> None:
    _stop.set()
    try:
        worker_gone(name=_name())
    except Exception:
        logger.warning("worker beat not removed", exc_info=True)
    finally:
        connection.close()
