"""A backend worker that dies is replaced, instead of taking every other worker down with it.

Reflex 0.10.1 starts Granian (`reflex/utils/exec.run_granian_backend_prod`: `from granian.server import
Server`) without `respawn_failed_workers`, so when one worker process is killed (out of memory, a crash in
a C extension, an operator's kill) Granian logs "Unexpected exit from worker-N" and stops them all: the
whole portal goes down. rxconfig.py calls `respawn_failed_workers()` before Reflex starts the server, so
the class Reflex imports at that moment starts every worker with the option on; a worker's tabs reconnect
to the others (their state is in Redis) and the replacement takes new connections. Granian's own crash-loop
guard still stops the server when a worker dies again within 5.5 s of its respawn.
tests/e2e/test_scale_out.py kills a worker mid-session.
"""

from __future__ import annotations


def respawn_failed_workers() -> None:
    import granian.server

    if getattr(granian.server.Server, "portal_respawns", False):
        return
    base = granian.server.Server

    class RespawningServer(base):
        portal_respawns = True

        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("respawn_failed_workers", True)
            super().__init__(*args, **kwargs)

    RespawningServer.__name__ = RespawningServer.__qualname__ = base.__name__
    granian.server.Server = RespawningServer
