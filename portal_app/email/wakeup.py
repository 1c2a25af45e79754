"""Waking the sender loops of this process when an email is put in the outbox.

A sender loop looks for due emails every PORTAL_EMAIL_POLL_SECONDS; a login code should not wait for
that. `enqueue` asks for a wake-up when its transaction commits (never before: the loop would find
nothing yet, and nothing at all if the transaction rolls back), and every loop of the process then looks
at once. Loops of other processes still find it on their next poll; on PostgreSQL whichever claims it
first sends it.
"""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy import event
from sqlmodel import Session

_waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
_lock = threading.Lock()


def listen() -> asyncio.Event:
    """For a sender loop (on its event loop): the event `wake_all` sets; clear it before each look."""
    woken = asyncio.Event()
    with _lock:
        _waiting.add((asyncio.get_running_loop(), woken))
    return woken


def stop_listening(woken: asyncio.Event) -> None:
    with _lock:
        _waiting.difference_update({entry for entry in _waiting if entry[1] is woken})


def wake_all() -> None:
    """Wake every sender loop of this process (from any thread)."""
    with _lock:
        entries = list(_waiting)
    for loop, woken in entries:
        try:
            loop.call_soon_threadsafe(woken.set)
        except RuntimeError:  # that loop has closed
            stop_listening(woken)


def wake_after_commit(session: Session) -> None:
    """Wake the loops once this session's transaction commits (nothing if it rolls back)."""
    if not session.info.get("wakes_senders"):
        session.info["wakes_senders"] = True
        event.listen(session, "after_commit", _after_commit, once=True)


def _after_commit(session: Session) -> None:
    session.info.pop("wakes_senders", None)
    wake_all()
