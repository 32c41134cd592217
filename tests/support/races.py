"""Two writers on real PostgreSQL, the second forced to wait on a row lock the first holds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connections, transaction


def second_waits_for_first(first: Callable[[], object], second: Callable[[], object]) -> None:
    """Run `first` in a transaction held open, then `second`, which must block on a row `first`
    locked until `first` commits; both threads end before this returns."""
    held, release, second_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                first()
                held.set()
                release.wait(10)
        except BaseException as exc:  # reported by the caller's thread, not lost in this one
            errors.append(exc)
            held.set()
        finally:
            connections.close_all()

    def race() -> None:
        try:
            second()
        except BaseException as exc:
            errors.append(exc)
        finally:
            second_done.set()
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    racer = threading.Thread(target=race)
    racer.start()
    time.sleep(0.5)  # the second writer reaches the held row lock
    blocked = not second_done.is_set()
    release.set()
    holder.join(10)
    racer.join(10)
    if errors:
        raise errors[0]
    assert blocked, "the second writer did not wait for the first one's row lock"
    assert second_done.is_set()
