"""Background work that runs in every backend worker: a loop per task, started with the app.

A task that must run once across workers needs a database claim of its own (the email sender's
leased claims are the example).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def periodic(name: str, every_seconds: int, run: Callable[[], object]):
    """A lifespan task that calls `run` in a worker thread every `every_seconds`.

    A failure is logged and the task runs again next time; a result worth saying (a dict of
    counts with any non-zero) is logged at INFO.
    """

    async def loop() -> None:
        while True:
            try:
                result = await asyncio.to_thread(run)
                if isinstance(result, dict) and any(result.values()):
                    log.info("%s: %s", name, result)
            except Exception:
                log.exception("task %s failed; it runs again in %s s", name, every_seconds)
            await asyncio.sleep(every_seconds)

    loop.__name__ = f"{name}_loop"
    return loop
