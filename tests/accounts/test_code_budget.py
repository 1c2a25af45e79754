"""The failure budget shared by every code purpose: 20 refused codes per email a day, then code entry locks."""

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.accounts import code_login, codes, login, sessions, signup
from portal_app.accounts.codes import CodeStatus
from portal_app.accounts.models import EmailCode
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import IP, PASSWORD, begin_signup, latest_code, latest_email, sign_up
from tests.support.browser import redeem_bound

EMAIL = "ada@example.com"
UNKNOWN = "nobody@example.com"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def lock_text(until) -> str:
    return f"Code entry for this email is locked until {until:%H:%M} UTC. You can still log in with your password."


def templates_to(address: str) -> list[str]:
    with db.read_session() as session:
        return list(session.exec(select(OutboxEmail.template).where(OutboxEmail.to_email == address)))


def code_login_refusal(code: str, email: str = EMAIL) -> str:
    with pytest.raises(FieldError) as caught:
        code_login.login_with_code(email=email, code=code)
    assert caught.value.field == "code"
    return caught.value.message


def issue(purpose: str, email: str = EMAIL) -> str:
    with db.write_session() as session:
        return codes.issue_code(session, purpose=purpose, email=email, lifetime=timedelta(minutes=10))


def test_wrong_signup_and_login_codes_share_one_budget(database, frozen_clock):
    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)
    # Ten wrong codes on the signup screen (this email already has an account: the signup-again path).
    flow = begin_signup(EMAIL, full_name="Ada again")
    signup_code = latest_code(EMAIL)
    for _ in range(10):
        with pytest.raises(FieldError):
            signup.verify_signup(flow, wrong(signup_code))
    frozen_clock.advance(minutes=1)
    code_login.request_login_code(email=EMAIL, ip=IP)
    login_code = latest_code(EMAIL)
    messages = [code_login_refusal(wrong(login_code)) for _ in range(10)]
    until = frozen_clock.current + timedelta(hours=24)
    assert messages[-1] == lock_text(until) and lock_text(until) not in messages[:-1]
    # Locked: even the right codes are refused, for every purpose, without being used up.
    assert code_login_refusal(login_code) == lock_text(until)
    check = codes.check_code(purpose="signup", email=EMAIL, code=signup_code, pending_signup_id=None)
    assert check == codes.CodeCheck(CodeStatus.LOCKED, locked_until=until)
    with pytest.raises(FieldError) as caught:
        signup.verify_signup(flow, signup_code)
    assert caught.value.message == lock_text(until)
    # Password login still works.
    grant = redeem_bound(login.password_login(email=EMAIL, password=PASSWORD, ip=IP), user_agent="", ip="")
    assert sessions.current_session(grant.value).auth_method == "password"
    # Exactly one email about the lock, saying until when, and that the password still works.
    assert templates_to(EMAIL).count("code_entry_locked") == 1
    notice = latest_email(EMAIL)
    assert notice.template == "code_entry_locked"
    assert until.isoformat() == "2026-01-16T12:03:00+00:00"
    assert "no longer work until 16 January 2026 at 12:03 UTC" in notice.text_body
    assert "You can still log in with your password" in notice.text_body
    assert "If it was not you: nobody got in." in notice.text_body
    assert "until 16 January 2026 at 12:03 UTC" in notice.html_body


def test_the_lock_ends_after_a_day_with_a_fresh_budget(database, frozen_clock):
    sign_up(EMAIL)
    code = issue("login")
    for _ in range(20):
        codes.check_code(purpose="login", email=EMAIL, code=wrong(code))
    frozen_clock.advance(hours=23, minutes=59)
    code_login.request_login_code(email=EMAIL, ip=IP)
    assert templates_to(EMAIL) == ["signup_code", "code_entry_locked"]
    assert codes.check_code(purpose="login", email=EMAIL, code=code).status is CodeStatus.LOCKED
    frozen_clock.advance(minutes=1)
    code_login.request_login_code(email=EMAIL, ip=IP)
    fresh = latest_code(EMAIL)
    for _ in range(19):
        assert codes.check_code(purpose="signup", email=EMAIL, code="000000").status is CodeStatus.NO_CODE
    redeem_bound(code_login.login_with_code(email=EMAIL, code=fresh), user_agent="", ip="")
    assert templates_to(EMAIL).count("code_entry_locked") == 1


def test_while_locked_a_code_request_sends_nothing_and_answers_the_same(database, frozen_clock):
    sign_up(EMAIL)
    for _ in range(20):
        codes.check_code(purpose="login", email=EMAIL, code="000000")
    frozen_clock.advance(minutes=5)
    assert code_login.request_login_code(email=EMAIL, ip=IP) == EMAIL
    assert templates_to(EMAIL) == ["signup_code", "code_entry_locked"]
    with db.read_session() as session:
        assert session.exec(select(EmailCode).where(EmailCode.purpose == "login")).all() == []


def test_guesses_without_any_code_count_and_unknown_emails_lock_silently(database, frozen_clock):
    answers = {code_login_refusal("123456", email=UNKNOWN) for _ in range(19)}
    assert answers == {"This code is no longer valid. Request a new code."}
    assert code_login_refusal("123456", email=UNKNOWN) == lock_text(frozen_clock.current + timedelta(hours=24))
    assert templates_to(UNKNOWN) == []


def test_known_and_unknown_emails_lock_alike(database, frozen_clock):
    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)
    code_login.request_login_code(email=EMAIL, ip=IP)
    code_login.request_login_code(email=UNKNOWN, ip=IP)
    guess = wrong(latest_code(EMAIL))
    known = [code_login_refusal(guess) for _ in range(21)]
    unknown = [code_login_refusal(guess, email=UNKNOWN) for _ in range(21)]
    assert known == unknown
    assert known[-2:] == [lock_text(frozen_clock.current + timedelta(hours=24))] * 2
    assert templates_to(EMAIL).count("code_entry_locked") == 1 and templates_to(UNKNOWN) == []


def test_failures_leave_the_window_after_a_day(database, frozen_clock):
    for _ in range(19):
        codes.check_code(purpose="login", email=EMAIL, code="000000")
    frozen_clock.advance(hours=24)
    for _ in range(19):
        assert codes.check_code(purpose="signup", email=EMAIL, code="000000").status is CodeStatus.NO_CODE
    assert codes.check_code(purpose="login", email=EMAIL, code="000000").status is CodeStatus.LOCKED


def test_the_budget_is_per_email(database, frozen_clock):
    for _ in range(20):
        codes.check_code(purpose="login", email=EMAIL, code="000000")
    code = issue("login", email="bob@example.com")
    assert codes.check_code(purpose="login", email="bob@example.com", code=code).status is CodeStatus.OK


def test_the_budget_comes_from_settings(database, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_FAILURES_PER_DAY="3")
    code = issue("login")
    statuses = [codes.check_code(purpose="login", email=EMAIL, code=wrong(code)).status for _ in range(3)]
    assert statuses == [CodeStatus.WRONG, CodeStatus.WRONG, CodeStatus.LOCKED]


def test_every_refusal_counts_but_a_right_code_does_not(database, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_FAILURES_PER_DAY="4")
    code = issue("login")
    assert codes.check_code(purpose="login", email=EMAIL, code=code).status is CodeStatus.OK
    issue("login")
    frozen_clock.advance(minutes=10)
    statuses = [
        codes.check_code(purpose="login", email=EMAIL, code="000000").status,  # expired
        codes.check_code(purpose="signup", email=EMAIL, code="000000").status,  # no code
        codes.check_code(purpose="email_change", email=EMAIL, code="000000").status,  # no code
        codes.check_code(purpose="login", email=EMAIL, code="000000").status,
    ]
    assert statuses == [CodeStatus.EXPIRED, CodeStatus.NO_CODE, CodeStatus.NO_CODE, CodeStatus.LOCKED]


def test_the_lock_message_names_the_time_and_the_password_way_in(database, frozen_clock):
    check = codes.CodeCheck(CodeStatus.LOCKED, locked_until=frozen_clock.current + timedelta(hours=24, minutes=5))
    assert codes.describe_problem(check) == (
        "Code entry for this email is locked until 12:05 UTC. You can still log in with your password."
    )
