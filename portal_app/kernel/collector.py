"""Fewer full garbage collections in a serving worker (a lifespan task, registered in portal_app.py).

Every open tab holds Reflex's tree of ~45 state objects and what its pages loaded, and Python's full
collection walks every live object at once: in a worker serving password logins and 50 clicking people,
each full collection paused the event loop 34-67 ms, and every event waiting at that moment waited that
long (benchmarks/password_logins.py; docs/benchmarks.md, "Garbage collection pauses").
CPython starts a full collection after ten collections of the middle generation (and only once the objects
that survived them have grown by a quarter); the worker raises the ten to FULL_COLLECTION_AFTER, so full
collections come ten times less often. The young generations are collected as before, and cyclic garbage
(an expired tab's state tree is a cycle) is still freed, a minute or so later instead of seconds.
"""

from __future__ import annotations

import gc

FULL_COLLECTION_AFTER = 100  # CPython's default: 10


async def fewer_full_collections() -> None:
    """Raise the full collection's threshold of the worker it runs in; the younger two stay as they are."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)
