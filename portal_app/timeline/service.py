"""The timeline of what an account did with the business: recording entries, and reading them page by page.

Entries are written with record() inside the transaction of the change they describe. The
timeline is read newest first with keyset pagination on (occurred_at, id), so a deep page costs
what the first one does; both reads (all apps, one app) are range scans of the two indexes on
Activity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, tuple_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from portal_app.apps import registry
from portal_app.kernel import clock, db
from portal_app.kernel.text import is_invisible
from portal_app.timeline.models import PORTAL_APP_KEY, Activity

MAX_SUMMARY = 300
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CURSOR = re.compile(r"(-?[0-9]{1,19})\.([0-9]{1,18})")


def _clean_summary(text: str) -> str:
    """One printable line: control characters become spaces, runs of space collapse, at most MAX_SUMMARY characters."""
    flat = "".join(" " if char.isspace() or is_invisible(char) else char for char in text)
    return " ".join(flat.split())[:MAX_SUMMARY]


def record(
    session: Session, *, account_id: int, app_key: str, kind: str, summary: str, at: datetime | None = None
) -> Activity:
    """Add one timeline entry inside the caller's transaction (so it exists exactly when the change does).

    `kind` must be declared by the app (ChildApp.activity_kinds) or by the portal
    (registry.PORTAL_ACTIVITY_KINDS): a typo fails here, not as an unlabelled line on home.
    """
    if kind not in registry.activity_kinds(app_key):
        raise ValueError(f"activity kind {kind!r} is not declared for app {app_key!r}")
    entry = Activity(
        account_id=account_id,
        app_key=app_key,
        kind=kind,
        summary=_clean_summary(summary),
        occurred_at=at or clock.now(),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class TimelineItem:
    id: int
    app_key: str
    source: str  # who recorded it, as people read it: an app's title or "Your account"
    kind: str
    label: str
    summary: str
    occurred_at: datetime


@dataclass(frozen=True)
class TimelinePage:
    """Newest first; `next_cursor` is passed as `before` for the next page, None on the last one."""

    items: tuple[TimelineItem, ...]
    next_cursor: str | None


def encode_cursor(occurred_at: datetime, entry_id: int) -> str:
    """A page boundary: the (occurred_at, id) of the last entry shown, as microseconds since 1970 and id."""
    return f"{(occurred_at - _EPOCH) // _MICROSECOND}.{entry_id}"


def decode_cursor(cursor: object) -> tuple[datetime, int]:
    """The (occurred_at, id) of a cursor from encode_cursor; ValueError for anything else."""
    match = _CURSOR.fullmatch(cursor) if isinstance(cursor, str) else None
    if match is None:
        raise ValueError("not a timeline cursor")
    try:
        moment = _EPOCH + int(match.group(1)) * _MICROSECOND
    except OverflowError:
        raise ValueError("not a timeline cursor") from None
    return moment, int(match.group(2))


def timeline_query(account_id: int, *, app_key: str | None, before: str | None, rows: int) -> Select:
    """The statement behind timeline(): a range of one index, newest first (benchmarks/timeline.py explains it)."""
    query = select(Activity).where(Activity.account_id == account_id)
    if app_key is not None:
        query = query.where(Activity.app_key == app_key)
    if before is not None:
        occurred_at, entry_id = decode_cursor(before)
        query = query.where(tuple_(col(Activity.occurred_at), col(Activity.id)) < tuple_(occurred_at, entry_id))
    return query.order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc()).limit(rows)


def timeline(
    account_id: int, *, app_key: str | None = None, before: str | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """One page of the account's timeline, newest first, optionally one app's entries only.

    Raises ValueError for a malformed cursor or a limit outside 1..MAX_PAGE_SIZE.
    """
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}")
    # One row more than shown tells whether there is a next page.
    query = timeline_query(account_id, app_key=app_key, before=before, rows=limit + 1)
    with db.read_session() as session:
        rows = list(session.exec(query))
    shown = rows[:limit]
    items = tuple(
        TimelineItem(
            id=row.id,
            app_key=row.app_key,
            source=registry.source_title(row.app_key),
            kind=row.kind,
            label=registry.activity_label(row.app_key, row.kind),
            summary=row.summary,
            occurred_at=row.occurred_at,
        )
        for row in shown
    )
    next_cursor = encode_cursor(shown[-1].occurred_at, shown[-1].id) if len(rows) > limit else None
    return TimelinePage(items=items, next_cursor=next_cursor)


def timeline_sources(account_id: int) -> list[tuple[str, str]]:
    """(app_key, title) of every source with entries on the account's timeline: the portal first, then apps in switcher order.

    One index lookup per known source, however long the timeline; entries of apps no longer
    registered still show under "All".
    """
    keys = [PORTAL_APP_KEY, *(app.key for app in registry.all_apps())]
    with db.read_session() as session:
        present = [
            key
            for key in keys
            if session.exec(
                select(Activity.id).where(Activity.account_id == account_id, Activity.app_key == key).limit(1)
            ).first()
            is not None
        ]
    return [(key, registry.source_title(key)) for key in present]


def counts_by_kind(account_id: int, app_key: str) -> dict[str, int]:
    """How many entries of each kind an app recorded for the account (for the apps' summary cards)."""
    query = (
        select(Activity.kind, func.count())
        .where(Activity.account_id == account_id, Activity.app_key == app_key)
        .group_by(Activity.kind)
    )
    with db.read_session() as session:
        return {kind: count for kind, count in session.exec(query)}
