"""Staff sessions: a hashed token, 12 hours idle, 7 days at most, gone when the account is disabled."""

from __future__ import annotations

from sqlmodel import select

from portal_app.accounts import sessions
from portal_app.admin import staff_sessions
from portal_app.admin.models import StaffAccount, StaffSession
from portal_app.kernel import db, tokens
from tests.support.admin import STAFF_EMAIL, create_staff, staff_session_token


def session_rows() -> list[StaffSession]:
    with db.read_session() as session:
        return list(session.exec(select(StaffSession)))


def test_only_the_hash_is_stored(database, frozen_clock):
    create_staff()
    token = staff_session_token()
    [row] = session_rows()
    assert row.token_hash == tokens.hash_token(token) and token not in row.token_hash
    assert staff_sessions.current_staff(token).email == STAFF_EMAIL


def test_twelve_idle_hours_end_it(database, frozen_clock):
    create_staff()
    token = staff_session_token()
    frozen_clock.advance(hours=11, minutes=59)
    assert staff_sessions.current_staff(token) is not None
    frozen_clock.advance(hours=11, minutes=59)  # used a moment ago: still alive
    assert staff_sessions.current_staff(token) is not None
    frozen_clock.advance(hours=12)
    assert staff_sessions.current_staff(token) is None
    assert session_rows() == []


def test_seven_days_at_most_however_busy(database, frozen_clock):
    create_staff()
    token = staff_session_token()
    for _ in range(13):
        frozen_clock.advance(hours=12, minutes=-1)
        assert staff_sessions.current_staff(token) is not None
    frozen_clock.advance(hours=12)
    assert staff_sessions.current_staff(token) is None


def test_disabling_the_staff_account_ends_it(database, frozen_clock):
    staff_id = create_staff()
    token = staff_session_token()
    with db.write_session() as session:
        account = session.get(StaffAccount, staff_id)
        account.disabled_at = frozen_clock.current
        session.add(account)
    assert staff_sessions.current_staff(token) is None
    assert session_rows() == []


def test_log_out_deletes_it(database, frozen_clock):
    create_staff()
    token = staff_session_token()
    staff_sessions.end_session(token)
    assert staff_sessions.current_staff(token) is None


def test_tokens_are_not_interchangeable_with_client_sessions(database, frozen_clock):
    create_staff()
    token = staff_session_token()
    assert sessions.account_for_token(token) is None
    for junk in (None, "", "x" * 129, 42, ["a"], tokens.hash_token(token)):
        assert staff_sessions.current_staff(junk) is None
