"""Emailed codes: HMAC at rest, expiry, 5 attempts, single use, and voiding by a newer code."""

from datetime import timedelta

from sqlalchemy import inspect, text
from sqlmodel import select

from portal_app.accounts import codes
from portal_app.accounts.codes import CodeStatus
from portal_app.accounts.models import EmailCode
from portal_app.kernel import db, tokens

EMAIL = "ada@example.com"


def issue(purpose: str = "signup", email: str = EMAIL, minutes: int = 15) -> str:
    with db.write_session() as session:
        return codes.issue_code(session, purpose=purpose, email=email, lifetime=timedelta(minutes=minutes))


def check(code: str, purpose: str = "signup", email: str = EMAIL) -> codes.CodeCheck:
    return codes.check_code(purpose=purpose, email=email, code=code)


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_only_a_keyed_hmac_of_the_code_is_stored(database, frozen_clock):
    code = issue()
    with db.read_session() as session:
        row = session.exec(select(EmailCode)).one()
        assert row.code_hmac == tokens.code_hmac("signup", EMAIL, code)
        connection = session.connection()
        for table in inspect(connection).get_table_names():
            for values in connection.execute(text(f'SELECT * FROM "{table}"')):
                for value in values:
                    if value != row.code_hmac:
                        assert code not in str(value), f"the plain code is stored in {table}"


def test_the_right_code_works_once(database, frozen_clock):
    code = issue()
    assert check(code).status is CodeStatus.OK
    assert check(code).status is CodeStatus.NO_CODE


def test_a_code_is_bound_to_its_purpose_and_email(database, frozen_clock):
    code = issue()
    assert check(code, purpose="login").status is CodeStatus.NO_CODE
    assert check(code, email="bob@example.com").status is CodeStatus.NO_CODE
    assert check(code).status is CodeStatus.OK


def test_a_code_expires(database, frozen_clock):
    code = issue(minutes=15)
    frozen_clock.advance(minutes=14, seconds=59)
    assert check(other_than(code)).status is CodeStatus.WRONG
    frozen_clock.advance(seconds=1)
    assert check(code).status is CodeStatus.EXPIRED


def test_five_wrong_attempts_kill_the_code(database, frozen_clock):
    code = issue()
    wrong = other_than(code)
    assert [check(wrong).attempts_left for _ in range(4)] == [4, 3, 2, 1]
    assert check(wrong).status is CodeStatus.TOO_MANY_ATTEMPTS
    assert check(code).status is CodeStatus.TOO_MANY_ATTEMPTS
    with db.read_session() as session:
        assert session.exec(select(EmailCode.attempts)).one() == 5


def test_the_attempt_limit_comes_from_settings(database, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_MAX_ATTEMPTS="2")
    code = issue()
    assert check(other_than(code)) == codes.CodeCheck(CodeStatus.WRONG, 1)
    assert check(other_than(code)).status is CodeStatus.TOO_MANY_ATTEMPTS


def test_a_new_code_voids_the_older_one(database, frozen_clock):
    first = issue()
    second = issue()
    if first != second:
        assert check(first).status is CodeStatus.WRONG
    assert check(second).status is CodeStatus.OK
    with db.read_session() as session:
        rows = session.exec(select(EmailCode).order_by(EmailCode.id)).all()
    assert rows[0].voided_at == frozen_clock.current and rows[0].used_at is None
    assert rows[1].used_at == frozen_clock.current


def test_a_new_code_for_another_purpose_leaves_the_first_alone(database, frozen_clock):
    signup_code = issue(purpose="signup")
    issue(purpose="login")
    assert check(signup_code).status is CodeStatus.OK


def test_no_code_at_all(database, frozen_clock):
    assert check("123456").status is CodeStatus.NO_CODE
