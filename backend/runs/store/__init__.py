"""The run store: the one place a run's or a step's state changes, chosen once per database."""

from __future__ import annotations

import threading

from django.db import DEFAULT_DB_ALIAS, connections

from backend.runs.store.base import Claimed, Closed, Finished, RunStore, StepOutcome

__all__ = ["Claimed", "Closed", "Finished", "RunStore", "StepOutcome", "get_store", "set_store"]

_stores: dict[str, RunStore] = {}
_lock = threading.Lock()


def get_store(using: str = DEFAULT_DB_ALIAS) -> RunStore:
    """The store for database `using`, picked by its vendor on first use and kept.

    Never by whether a transaction is open: a caller inside one gets the same statements and the
    same guarantees, because callers enqueue and poke with `transaction.on_commit`.
    """
    store = _stores.get(using)
    if store is None:
        with _lock:
            store = _stores.get(using) or _make(using)
            _stores[using] = store
    return store


def _make(using: str) -> RunStore:
    if connections[using].vendor == "postgresql":
        from backend.runs.store.postgresql import PostgreSQLStore

        return PostgreSQLStore(using)
    from backend.runs.store.portable import PortableStore

    return PortableStore(using)


def set_store(store: RunStore | None, using: str = DEFAULT_DB_ALIAS) -> RunStore | None:
    """Swap the store of `using` (tests run the portable one on PostgreSQL; None means the vendor's
    own again); returns the previous one."""
    with _lock:
        previous = _stores.pop(using, None)
        if store is not None:
            _stores[using] = store
    return previous
