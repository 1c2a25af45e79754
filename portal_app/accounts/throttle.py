"""Rate limits counted in the database, so every worker and every restart sees the same counts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from portal_app.accounts.models import RateEvent
from portal_app.kernel import clock

MAX_KEY_LENGTH = 320


def _key(key: str) -> str:
    return key[:MAX_KEY_LENGTH]


def record(session: Session, kind: str, key: str) -> RateEvent:
    """Count one event of `kind` for `key` (an email or an IP) now."""
    event = RateEvent(kind=kind, key=_key(key), at=clock.now())
    session.add(event)
    return event


def cancel(session: Session, event_id: int) -> None:
    """Un-count an event recorded in advance, once it turned out not to count (a login that succeeded)."""
    session.exec(delete(RateEvent).where(RateEvent.id == event_id))


def retry_after(session: Session, kind: str, key: str, *, limit: int, window: timedelta) -> timedelta | None:
    """None while fewer than `limit` events fall in the window, else the wait until one leaves it."""
    now = clock.now()
    recent = session.exec(
        select(RateEvent.at)
        .where(RateEvent.kind == kind, RateEvent.key == _key(key), RateEvent.at > now - window)
        .order_by(col(RateEvent.at).desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    return recent[-1] + window - now


def min_interval_wait(session: Session, kind: str, key: str, interval: timedelta) -> timedelta | None:
    """None when `interval` has passed since the newest event, else the time left until it has."""
    now = clock.now()
    newest = session.exec(
        select(func.max(RateEvent.at)).where(RateEvent.kind == kind, RateEvent.key == _key(key))
    ).one()
    if newest is None:
        return None
    wait = newest + interval - now
    return wait if wait > timedelta(0) else None


def newest_at(session: Session, kind: str, key: str) -> datetime | None:
    """When the newest event of `kind` for `key` happened, or None if there is none."""
    return session.exec(select(func.max(RateEvent.at)).where(RateEvent.kind == kind, RateEvent.key == _key(key))).one()


def count_since(session: Session, kind: str, key: str, since: datetime) -> int:
    """How many events of `kind` for `key` happened at or after `since`."""
    return session.exec(
        select(func.count())
        .select_from(RateEvent)
        .where(RateEvent.kind == kind, RateEvent.key == _key(key), RateEvent.at >= since)
    ).one()


def count_family_in_window(session: Session, kind_prefix: str, key: str, window: timedelta) -> int:
    """How many events of every kind starting with `kind_prefix` (one kind per code purpose, say) fall in the window."""
    return session.exec(
        select(func.count())
        .select_from(RateEvent)
        .where(
            col(RateEvent.kind).startswith(kind_prefix, autoescape=True),
            RateEvent.key == _key(key),
            RateEvent.at > clock.now() - window,
        )
    ).one()


def describe_wait(wait: timedelta) -> str:
    """ "45 seconds" or "12 minutes", rounded up, for messages that say when to try again."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"{seconds} second" if seconds == 1 else f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
