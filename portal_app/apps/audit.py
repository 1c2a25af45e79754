"""Apps write what owners and their helpers change into the portal's audit log (/admin/audit).

An app's admin handler passes the staff member's actor (AppAdminState gives it); a page open to a
role of the app's own (an instructor editing courses, say) passes `member_actor(...)`. Each entry
is written in the caller's transaction, so the log holds exactly the changes that happened, and its
action reads "<app key>.<action>" ("courses.lesson_updated").
"""

from __future__ import annotations

from sqlmodel import Session

from portal_app.admin.audit import Actor
from portal_app.admin.audit import record as _record

__all__ = ["Actor", "member_actor", "record"]


def member_actor(account_id: int, email: str, role: str) -> Actor:
    """The actor for an account acting through a role of an app (not a staff member)."""
    return Actor(f"{email} ({role}, account {account_id})")


def record(
    session: Session, actor: Actor, app_key: str, action: str, *, target: str = "", detail: dict | None = None
) -> None:
    _record(session, actor, action=f"{app_key}.{action}"[:64], target=target, detail=detail)
