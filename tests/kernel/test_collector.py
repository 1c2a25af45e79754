"""A serving worker's full garbage collections come from a timer, not from its load: each one pauses every
event in flight for as long as it takes to walk every open tab's objects."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from portal_app.kernel import collector


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def collector_put_back():
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def _old_cycle() -> weakref.ref:
    """A reference cycle that lived through two young collections (so only a full collection can free it),
    then became garbage, as an expired tab's state tree does; a weak reference to one of its objects."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    gc.collect(1)
    gc.collect(1)  # survived the middle generation twice: it is in the oldest one now
    return weakref.ref(first)


async def test_automatic_full_collections_stop_and_the_young_ones_stay_as_they_were(collector_put_back):
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    task = asyncio.create_task(collector.full_collections_on_a_timer())
    await asyncio.sleep(0)
    try:
        young, middle, full = gc.get_threshold()
        assert (young, middle) == (700, 10)
        assert full == collector.NEVER
    finally:
        task.cancel()


async def test_an_old_cycle_left_as_garbage_is_freed_by_the_next_timed_collection(collector_put_back, monkeypatch):
    monkeypatch.setattr(collector, "FULL_COLLECTION_EVERY", 0.2)
    task = asyncio.create_task(collector.full_collections_on_a_timer())
    await asyncio.sleep(0)
    try:
        cycle = _old_cycle()
        gc.collect(1)  # the young collections leave it where it is
        assert cycle() is not None
        for _ in range(50):
            await asyncio.sleep(0.05)
            if cycle() is None:
                break
        assert cycle() is None, "the timed full collection did not free the old cycle"
    finally:
        task.cancel()


def test_every_worker_of_the_app_runs_it_at_start():
    import portal_app.portal_app as built

    assert collector.full_collections_on_a_timer in built.app._lifespan_tasks
