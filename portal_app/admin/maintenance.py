"""Clean-up for the admin area's short-lived rows: dead staff sessions, spent tickets and sign-in challenges.

The audit log is never purged here.
"""

from __future__ import annotations

from sqlmodel import col, delete, or_

from portal_app.admin.models import StaffLoginChallenge, StaffTicket
from portal_app.admin.staff_sessions import STAFF_SESSIONS
from portal_app.kernel import clock, db
from portal_app.kernel import sessions as store


def purge_expired_staff_rows() -> dict[str, int]:
    """Delete ended staff sessions, used or expired staff tickets and challenges; how many of each went."""
    now = clock.now()
    with db.write_session() as session:
        staff_sessions = store.purge(session, STAFF_SESSIONS)
        staff_tickets = session.exec(
            delete(StaffTicket).where(or_(StaffTicket.expires_at <= now, col(StaffTicket.used_at).is_not(None)))
        )
        challenges = session.exec(
            delete(StaffLoginChallenge).where(
                or_(StaffLoginChallenge.expires_at <= now, col(StaffLoginChallenge.used_at).is_not(None))
            )
        )
        return {
            "staff_sessions": staff_sessions,
            "staff_tickets": staff_tickets.rowcount,
            "staff_login_challenges": challenges.rowcount,
        }
