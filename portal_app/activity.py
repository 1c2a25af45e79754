"""Recording what an account did with the business, for the timeline on home."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from portal_app import clock
from portal_app.models import Activity

MAX_SUMMARY = 300


def record(
    session: Session, *, account_id: int, app_key: str, kind: str, summary: str, at: datetime | None = None
) -> Activity:
    """Add one timeline entry inside the caller's transaction (so it exists exactly when the change does)."""
    entry = Activity(
        account_id=account_id,
        app_key=app_key,
        kind=kind,
        summary=summary[:MAX_SUMMARY],
        occurred_at=at or clock.now(),
    )
    session.add(entry)
    return entry
