"""Staff sessions: the kernel's session store (kernel/sessions.py) for staff accounts, with shorter limits.

A staff session ends after PORTAL_STAFF_SESSION_IDLE_HOURS without use (12 by default) or
PORTAL_STAFF_SESSION_ABSOLUTE_DAYS after sign-in (7), whichever comes first.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from portal_app.admin.models import StaffAccount, StaffSession
from portal_app.admin.staff import StaffView
from portal_app.kernel import sessions as store
from portal_app.kernel.settings import get_settings

STAFF_COOKIE = "portal_staff"


def idle_limit() -> timedelta:
    return timedelta(hours=get_settings().staff_session_idle_hours)


def absolute_limit() -> timedelta:
    return timedelta(days=get_settings().staff_session_absolute_days)


STAFF_SESSIONS = store.SessionKind(
    table=StaffSession,
    owner_column="staff_id",
    owner_table=StaffAccount,
    idle_limit=idle_limit,
    absolute_limit=absolute_limit,
)


def create_session(session: Session, *, staff_id: int, user_agent: object, ip: object) -> str:
    """Start a staff session inside the caller's transaction; returns the cookie token."""
    return store.start(session, STAFF_SESSIONS, owner_id=staff_id, user_agent=user_agent, ip=ip)


def current_staff(token: object) -> StaffView | None:
    """The staff member signed in with this cookie token, or None; a dead session is deleted on sight."""
    found = store.current(STAFF_SESSIONS, token)
    if found is None:
        return None
    _, staff = found
    return StaffView(staff.id, staff.email, staff.name)


def end_session(token: object) -> None:
    """Log out: the session row goes, so the cookie is refused if it is ever sent again."""
    store.end(STAFF_SESSIONS, token)
