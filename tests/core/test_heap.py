"""Freezing the start-up heap: survivors leave the collector's generations, later garbage is still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from backend.core.heap import freeze_startup_objects


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process keeps collecting everything, as before


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_freeze_startup_objects_moves_the_survivors_out_of_collection(unfrozen: None) -> None:
    startup = _Node()
    frozen = freeze_startup_objects()
    assert frozen == gc.get_freeze_count() > 1000
    assert not any(obj is startup for obj in gc.get_objects())  # no longer walked by a collection


def test_freeze_startup_objects_leaves_later_garbage_collectable(unfrozen: None) -> None:
    freeze_startup_objects()
    later = _Node()
    ref = weakref.ref(later)
    del later
    gc.collect()
    assert ref() is None
