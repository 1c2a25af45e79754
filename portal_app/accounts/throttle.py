"""Rate limits counted in the database, so every worker and every restart sees the same counts.

Limits that protect one email are kept twice: per email AND client network (`pair_key`), with a low
limit, so an attacker's failures from one network stop that network only; and per email across every
network, with a higher ceiling, so guessing spread over many networks stays bounded. A network is an
IPv4 address, or an IPv6 /64 (what one subscriber gets: counting single IPv6 addresses would give
each attacker 2^64 of them).

A transaction that counts a limit and then records its own event must not run beside another doing the
same for the same key, or both see room: SQLite's BEGIN IMMEDIATE queues every writer anyway; on
PostgreSQL `serialize` takes a transaction-level advisory lock per key first (every worker and machine
shares them), in one sorted order so two transactions never wait for each other.

Every login and code request runs these, so their statements are built once (module constants with bound
parameters): SQLAlchemy then reuses the statement and its cache key instead of building both again each
call, ~0.45 ms less a statement (docs/extending.md, "Statements on a hot path").
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, delete, func, select

from portal_app.accounts.models import RateEvent
from portal_app.kernel import clock
from portal_app.kernel.web.rate_keys import rate_key_for_ip

MAX_KEY_LENGTH = 320
MAX_KIND_LENGTH = 96  # RateEvent.kind


# The newest events of a kind for a key in a window, newest first (retry_after).
_RECENT = (
    select(RateEvent.at)
    .where(RateEvent.kind == bindparam("kind"), RateEvent.key == bindparam("key"), RateEvent.at > bindparam("since"))
    .order_by(col(RateEvent.at).desc())
    .limit(bindparam("limit"))
)
# No session holds these rows as objects (they are written and cancelled in separate transactions), so the
# ORM need not look for them after the delete.
_CANCEL = (
    delete(RateEvent)
    .where(col(RateEvent.id).in_(bindparam("ids", expanding=True)))
    .execution_options(synchronize_session=False)
)


def _key(key: str) -> str:
    return key[:MAX_KEY_LENGTH]


def network(ip: str) -> str:
    """The throttle key of a client address: IPv4 as is, IPv6 as its /64 (kernel/web/rate_keys.py)."""
    return rate_key_for_ip(ip)


def _email_part(email: str) -> str:
    # Room for "|" and a 64-character network; longer emails are keyed by their digest.
    return email if len(email) <= MAX_KEY_LENGTH - 65 else hashlib.sha256(email.encode()).hexdigest()


def pair_key(email: str, ip: str) -> str:
    """The key of one email from one network ("ann@example.com|203.0.113.7")."""
    return f"{_email_part(email)}|{network(ip)[:64]}"


def pair_prefix(email: str) -> str:
    """What every pair key of `email` starts with (to find or clear them all)."""
    return f"{_email_part(email)}|"


def lock_id(name: str) -> int:
    """A PostgreSQL advisory lock id (signed 64 bits) for a name."""
    return int.from_bytes(hashlib.sha256(f"portal:{name}".encode()).digest()[:8], "big", signed=True)


def serialize(session: Session, *names: str) -> None:
    """On PostgreSQL, queue this transaction behind any other holding one of `names` until it ends
    (advisory transaction locks, in sorted order); nothing on SQLite, whose writers already queue."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for lock in sorted({lock_id(name) for name in names}):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})


def record(session: Session, kind: str, key: str) -> RateEvent:
    """Count one event of `kind` for `key` (an email or an IP) now."""
    if len(kind) > MAX_KIND_LENGTH:  # a bug: PostgreSQL would refuse the row and fail the person's request
        raise ValueError(f"rate event kind longer than {MAX_KIND_LENGTH} characters: {kind!r}")
    event = RateEvent(kind=kind, key=_key(key), at=clock.now())
    session.add(event)
    return event


def cancel(session: Session, *event_ids: int) -> None:
    """Un-count events recorded in advance, once they turned out not to count (a login that succeeded)."""
    if event_ids:
        session.exec(_CANCEL, params={"ids": list(event_ids)})


def retry_after(session: Session, kind: str, key: str, *, limit: int, window: timedelta) -> timedelta | None:
    """None while fewer than `limit` events fall in the window, else the wait until one leaves it."""
    now = clock.now()
    recent = session.exec(_RECENT, params={"kind": kind, "key": _key(key), "since": now - window, "limit": limit}).all()
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


def count_in_window(session: Session, kind: str, key: str, window: timedelta) -> int:
    """How many events of `kind` for `key` fall in the window (newer than now - window)."""
    return session.exec(
        select(func.count())
        .select_from(RateEvent)
        .where(RateEvent.kind == kind, RateEvent.key == _key(key), RateEvent.at > clock.now() - window)
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


def delete_for(session: Session, kinds: list[str], keys: list[str], key_prefix: str | None = None) -> int:
    """Forget the events of `kinds` for these keys (and for every key starting with `key_prefix`): how
    many went. For staff lifting a lock, never for anything a client asks."""
    condition = col(RateEvent.key).in_([_key(key) for key in keys])
    if key_prefix:
        condition = condition | col(RateEvent.key).startswith(key_prefix, autoescape=True)
    result = session.exec(delete(RateEvent).where(col(RateEvent.kind).in_(kinds), condition))
    return result.rowcount or 0


def describe_wait(wait: timedelta) -> str:
    """ "45 seconds", "12 minutes" or "24 hours", rounded up, for messages that say when to try again."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"{seconds} second" if seconds == 1 else f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"
