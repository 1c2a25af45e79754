"""Full garbage collections on a timer in a serving worker (a lifespan task, registered in portal_app.py).

Every open tab holds Reflex's tree of ~45 state objects and what its pages loaded, and Python's full
collection walks every live object at once, pausing the event loop (164-262 ms with 1,000 tabs held, and
longer with more), and every event waiting at that moment waits that long.
CPython starts one after ten collections of the middle generation once the objects that survived them
have grown by a quarter, and under load that is often: a worker answering 200 busy clients' clicks did
one every ~5 s, each the p99 of the window (docs/benchmarks.md, "Full collections on a timer").
So a worker's full collections come only from this task, every FULL_COLLECTION_EVERY seconds, whatever
the load: the pause is the same, but once in five minutes. The young generations are collected as before
(they free almost all cyclic garbage); a cycle that had already lived long, such as an expired tab's
state tree, is freed by the next timed collection.
"""

from __future__ import annotations

import asyncio
import gc

FULL_COLLECTION_EVERY = 300  # seconds
# The number of middle-generation collections after which CPython would start a full one by itself: never.
NEVER = 2**31 - 1


async def full_collections_on_a_timer() -> None:
    """Turn the worker's automatic full collections off (the younger two stay as they are) and run one
    every FULL_COLLECTION_EVERY seconds, for as long as the worker serves."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NEVER)
    while True:
        await asyncio.sleep(FULL_COLLECTION_EVERY)
        gc.collect()
