"""A serving worker does fewer full garbage collections, each of which pauses every event in flight."""

from __future__ import annotations

import gc

import pytest

from portal_app.kernel.collector import FULL_COLLECTION_AFTER, fewer_full_collections


@pytest.fixture
def thresholds_put_back():
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


async def test_the_full_collection_comes_ten_times_less_often_and_the_young_ones_as_before(thresholds_put_back):
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    await fewer_full_collections()
    assert gc.get_threshold() == (700, 10, FULL_COLLECTION_AFTER) == (700, 10, 100)


async def test_it_keeps_what_the_young_generations_were_set_to(thresholds_put_back):
    gc.set_threshold(2000, 15, 10)
    await fewer_full_collections()
    assert gc.get_threshold() == (2000, 15, 100)


def test_every_worker_of_the_app_runs_it_at_start():
    import portal_app.portal_app as built

    assert fewer_full_collections in built.app._lifespan_tasks
