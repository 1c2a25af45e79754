"""Purging the admin area's spent rows keeps live sign-ins working."""

from __future__ import annotations

from sqlmodel import func, select

from portal_app.admin import staff_login, staff_sessions
from portal_app.admin.maintenance import purge_expired_staff_rows
from portal_app.admin.models import AuditEntry, StaffLoginChallenge, StaffSession, StaffTicket
from portal_app.kernel import db
from tests.support.admin import BROWSER, IP, STAFF_EMAIL, STAFF_PASSWORD, create_staff, staff_session_token


def count(table) -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_spent_and_expired_rows_go_live_ones_stay(database, frozen_clock):
    create_staff()
    idle = staff_session_token()  # leaves a used challenge and a used ticket
    frozen_clock.advance(hours=6)
    live = staff_session_token()
    frozen_clock.advance(hours=6, minutes=1)
    staff_login.start_login(email=STAFF_EMAIL, password=STAFF_PASSWORD, ip=IP, browser_token=BROWSER)

    removed = purge_expired_staff_rows()

    assert removed == {"staff_sessions": 1, "staff_tickets": 2, "staff_login_challenges": 2}
    assert staff_sessions.current_staff(live) is not None and staff_sessions.current_staff(idle) is None
    assert (count(StaffSession), count(StaffTicket), count(StaffLoginChallenge)) == (1, 0, 1)
    assert count(AuditEntry) == 1
