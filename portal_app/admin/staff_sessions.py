"""Staff sessions: like client sessions (random token in an HttpOnly cookie, hash in the database), shorter.

A staff session ends after PORTAL_STAFF_SESSION_IDLE_HOURS without use (12 by default) or
PORTAL_STAFF_SESSION_ABSOLUTE_DAYS after sign-in (7), whichever comes first.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, delete, select, update

from portal_app.accounts.validation import clean_ip
from portal_app.admin.models import StaffAccount, StaffSession
from portal_app.admin.staff import StaffView
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.settings import get_settings

STAFF_COOKIE = "portal_staff"
MAX_USER_AGENT_LENGTH = 512
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def idle_limit() -> timedelta:
    return timedelta(hours=get_settings().staff_session_idle_hours)


def absolute_limit() -> timedelta:
    return timedelta(days=get_settings().staff_session_absolute_days)


def create_session(session: Session, *, staff_id: int, user_agent: object, ip: object) -> str:
    """Start a staff session inside the caller's transaction; returns the cookie token."""
    now = clock.now()
    token = tokens.new_token()
    session.add(
        StaffSession(
            staff_id=staff_id,
            token_hash=tokens.hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + absolute_limit(),
            user_agent=user_agent[:MAX_USER_AGENT_LENGTH] if isinstance(user_agent, str) else "",
            ip=clean_ip(ip),
        )
    )
    return token


def current_staff(token: object) -> StaffView | None:
    """The staff member signed in with this cookie token, or None; a dead session is deleted on sight."""
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None:
        return None
    with db.read_session() as session:
        found = session.exec(
            select(StaffSession, StaffAccount)
            .join(StaffAccount, StaffAccount.id == StaffSession.staff_id)
            .where(StaffSession.token_hash == token_hash)
        ).first()
    if found is None:
        return None
    row, staff = found
    now = clock.now()
    if staff.disabled_at is not None or now >= row.expires_at or now - row.last_seen_at >= idle_limit():
        with db.write_session() as session:
            session.exec(delete(StaffSession).where(StaffSession.id == row.id))
        return None
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        with db.write_session() as session:
            session.exec(update(StaffSession).where(StaffSession.id == row.id).values(last_seen_at=now))
    return StaffView(staff.id, staff.email, staff.name)


def end_session(token: object) -> None:
    """Log out: the session row goes, so the cookie is refused if it is ever sent again."""
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None:
        return
    with db.write_session() as session:
        session.exec(delete(StaffSession).where(StaffSession.token_hash == token_hash))
