"""The audit log: every change made in the admin area or with the `portal` command, who made it and when.

Each entry is written in the same transaction as the change it describes, so the log holds exactly
the changes that happened. Details are short JSON, and never carry a secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from portal_app.admin.models import AuditEntry
from portal_app.admin.paging import Page, last_page_if_beyond
from portal_app.kernel import clock, db

MAX_DETAIL_LENGTH = 4000
MAX_TARGET_LENGTH = 400
PER_PAGE = 25
CLI_LABEL = "cli"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a staff account (by id, shown by email), or the command line."""

    label: str
    staff_id: int | None = None


CLI = Actor(CLI_LABEL)


def record(session: Session, actor: Actor, *, action: str, target: str = "", detail: dict | None = None) -> AuditEntry:
    """Add one entry inside the caller's transaction."""
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_DETAIL_LENGTH:
        text = json.dumps({"note": "detail too long to keep", "keys": sorted(detail or {})})[:MAX_DETAIL_LENGTH]
    entry = AuditEntry(
        at=clock.now(),
        staff_id=actor.staff_id,
        actor=actor.label[:320],
        action=action,
        target=target[:MAX_TARGET_LENGTH],
        detail=text,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


def list_entries(page: int = 1, per_page: int = PER_PAGE) -> Page[AuditRow]:
    """Newest first."""
    with db.read_session() as session:
        total = session.exec(select(func.count()).select_from(AuditEntry)).one()
        number = last_page_if_beyond(page, total, per_page)
        rows = session.exec(
            select(AuditEntry)
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .offset((number - 1) * per_page)
            .limit(per_page)
        ).all()
    items = tuple(AuditRow(row.id, row.at, row.actor, row.action, row.target, row.detail) for row in rows)
    return Page(items=items, number=number, total=total, per_page=per_page)
