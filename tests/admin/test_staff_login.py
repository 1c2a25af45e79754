"""Staff sign-in: email and password, then an emailed code in the same browser, then a one-time ticket."""

from __future__ import annotations

from datetime import timedelta

import argon2
import pytest
from sqlmodel import select

from portal_app.accounts import code_login, login
from portal_app.accounts.errors import LoginFailed
from portal_app.admin import staff_login, staff_sessions
from portal_app.admin.models import StaffAccount, StaffLoginChallenge, StaffSession, StaffTicket
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import PASSWORD as CLIENT_PASSWORD
from tests.support.accounts import latest_code, sign_up
from tests.support.admin import (
    BROWSER,
    IP,
    OTHER_BROWSER,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    create_staff,
    latest_staff_code,
    staff_ticket,
)
from tests.support.browser import TEST_BROWSER

INCORRECT = "Email or password is incorrect."


def step_one(email=STAFF_EMAIL, password=STAFF_PASSWORD, ip=IP, browser=BROWSER):
    return staff_login.start_login(email=email, password=password, ip=ip, browser_token=browser)


def refused_step_one(**fields) -> LoginFailed:
    with pytest.raises(LoginFailed) as refused:
        step_one(**fields)
    return refused.value


def refused_code(code: str, browser: str = BROWSER) -> str:
    with pytest.raises(FieldError) as refused:
        staff_login.finish_login(email=STAFF_EMAIL, code=code, browser_token=browser)
    assert refused.value.field == "code"
    return refused.value.message


def rows(table) -> list:
    with db.read_session() as session:
        return list(session.exec(select(table)))


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_password_then_emailed_code_then_a_ticket_for_this_browser(database, frozen_clock):
    staff_id = create_staff()
    sent = step_one(email="  Owner@Studio.example ")
    assert (sent.email, sent.new_code) == (STAFF_EMAIL, True)
    assert sent.expires_at == frozen_clock.current + timedelta(minutes=10)
    [email] = [row for row in rows(OutboxEmail) if row.template == "staff_login_code"]
    code = latest_staff_code()
    assert email.to_email == STAFF_EMAIL and code in email.text_body and code in email.html_body
    assert email.subject == f"{code} is your Test Business admin sign-in code"
    for part in (email.text_body, email.html_body):
        assert "Olive Owner" in part and "expires in 10 minutes" in part
        assert "If this was not you, someone knows your admin password." in part
    assert rows(StaffTicket) == [] and rows(StaffSession) == []

    ticket = staff_login.finish_login(email=STAFF_EMAIL, code=f" {code[:3]} {code[3:]} ", browser_token=BROWSER)

    [stored] = rows(StaffTicket)
    assert stored.staff_id == staff_id and stored.token_hash != ticket and stored.used_at is None
    token = staff_login.redeem_ticket(ticket, browser_token=BROWSER, user_agent="pytest", ip=IP)
    assert staff_sessions.current_staff(token).id == staff_id
    assert rows(StaffAccount)[0].last_login_at == frozen_clock.current


@pytest.mark.parametrize(
    "fields",
    [
        {"password": "wrong-password-1"},
        {"email": "nobody@studio.example"},
        {"email": "nobody@studio.example", "password": "wrong-password-1"},
        {"email": "not an email"},
        {"email": None, "password": None},
        {"email": {"$ne": ""}, "password": [STAFF_PASSWORD]},
        {"password": STAFF_PASSWORD + "x" * 1_000_000},
        {"password": STAFF_PASSWORD.upper()},
    ],
)
def test_every_step_one_failure_says_the_same_and_sends_nothing(database, frozen_clock, fields):
    create_staff()
    refused = refused_step_one(**fields)
    assert (refused.message, refused.retry_after) == (INCORRECT, None)
    assert rows(OutboxEmail) == [] and rows(StaffLoginChallenge) == []


def test_unknown_email_costs_the_same_argon2_work(database, frozen_clock, monkeypatch):
    create_staff()
    calls = []
    original = argon2.PasswordHasher.verify

    def counting_verify(self, hash, password):
        calls.append(1)
        return original(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    refused_step_one(password="wrong-password-1")
    known = len(calls)
    calls.clear()
    refused_step_one(email="nobody@studio.example", password="wrong-password-1")
    assert known == len(calls) == 1


def test_a_disabled_staff_account_gets_the_same_answer(database, frozen_clock):
    staff_id = create_staff()
    with db.write_session() as session:
        account = session.get(StaffAccount, staff_id)
        account.disabled_at = frozen_clock.current
        session.add(account)
    assert refused_step_one().message == INCORRECT


def test_client_accounts_and_their_passwords_are_not_staff(database, frozen_clock):
    sign_up("client@studio.example")
    assert refused_step_one(email="client@studio.example", password=CLIENT_PASSWORD).message == INCORRECT
    # A client account on the staff email: its login code is no staff code.
    create_staff()
    sign_up(STAFF_EMAIL)
    frozen_clock.advance(seconds=61)
    step_one()
    frozen_clock.advance(seconds=61)
    code_login.request_login_code(device=TEST_BROWSER, email=STAFF_EMAIL, ip=IP)
    assert refused_code(latest_code(STAFF_EMAIL)).startswith("That code is not right.")


def test_five_failures_throttle_the_email_even_with_the_right_password(database, frozen_clock):
    create_staff()
    for _ in range(5):
        assert refused_step_one(password="wrong-password-1").message == INCORRECT
        frozen_clock.advance(minutes=1)
    locked = refused_step_one()
    assert locked.message == "Too many attempts. Try again in 10 minutes."
    assert rows(OutboxEmail) == []
    unknown = [refused_step_one(email="nobody@studio.example") for _ in range(6)][-1]
    assert unknown.message == "Too many attempts. Try again in 15 minutes."
    frozen_clock.advance(minutes=10)
    assert step_one().new_code is True


def test_twenty_attempts_a_minute_per_ip(database, frozen_clock):
    create_staff()
    for number in range(20):
        refused_step_one(email=f"person{number}@studio.example")
    assert refused_step_one().message == "Too many attempts. Try again in 1 minute."
    assert step_one(ip="198.51.100.99").new_code is True


def test_a_right_password_does_not_count_as_a_failure(database, frozen_clock):
    create_staff()
    for _ in range(4):
        refused_step_one(password="wrong-password-1")
    step_one()
    assert refused_step_one(password="wrong-password-1").message == INCORRECT


def test_five_wrong_codes_kill_the_code(database, frozen_clock):
    create_staff()
    step_one()
    code = latest_staff_code()
    messages = [refused_code(wrong(code)) for _ in range(5)]
    assert messages[:4] == [
        f"That code is not right. You have {n} attempt{'s' if n > 1 else ''} left." for n in (4, 3, 2, 1)
    ]
    assert messages[4] == "Too many wrong codes. Enter your email and password again."
    assert refused_code(code) == "Too many wrong codes. Enter your email and password again."
    assert rows(StaffTicket) == []
    # Step 1 again (after the resend wait) sends a new code that works.
    frozen_clock.advance(seconds=61)
    assert step_one().new_code is True
    assert staff_login.finish_login(email=STAFF_EMAIL, code=latest_staff_code(), browser_token=BROWSER)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", None, 123456, ["123456"], "1" * 1_000_000])
def test_malformed_codes_are_refused_without_spending_an_attempt(database, frozen_clock, code):
    create_staff()
    step_one()
    with pytest.raises(FieldError) as refused:
        staff_login.finish_login(email=STAFF_EMAIL, code=code, browser_token=BROWSER)
    assert refused.value.message == "Enter the 6-digit code from the email."
    assert rows(StaffLoginChallenge)[0].used_at is None
    assert staff_login.finish_login(email=STAFF_EMAIL, code=latest_staff_code(), browser_token=BROWSER)


def test_the_code_works_only_in_the_browser_that_passed_step_one(database, frozen_clock):
    create_staff()
    step_one()
    code = latest_staff_code()
    expired = "This sign-in has expired. Enter your email and password again."
    assert refused_code(code, browser=OTHER_BROWSER) == expired
    assert refused_code(code, browser="") == expired
    # Nothing was spent by the other browser: the code still works here.
    assert staff_login.finish_login(email=STAFF_EMAIL, code=code, browser_token=BROWSER)


def test_a_newer_step_one_in_another_browser_ends_the_first(database, frozen_clock):
    create_staff()
    step_one()
    frozen_clock.advance(seconds=61)
    step_one(browser=OTHER_BROWSER)
    code = latest_staff_code()
    assert refused_code(code) == "This sign-in has expired. Enter your email and password again."
    assert staff_login.finish_login(email=STAFF_EMAIL, code=code, browser_token=OTHER_BROWSER)


def test_the_code_expires_after_ten_minutes(database, frozen_clock):
    create_staff()
    step_one()
    code = latest_staff_code()
    frozen_clock.advance(minutes=10)
    assert refused_code(code) == "This sign-in has expired. Enter your email and password again."


def test_a_code_works_once(database, frozen_clock):
    create_staff()
    step_one()
    code = latest_staff_code()
    staff_login.finish_login(email=STAFF_EMAIL, code=code, browser_token=BROWSER)
    assert refused_code(code) == "This sign-in has expired. Enter your email and password again."
    assert len(rows(StaffTicket)) == 1


def test_asking_again_within_a_minute_reuses_the_code_already_sent(database, frozen_clock):
    create_staff()
    first = step_one()
    frozen_clock.advance(seconds=30)
    again = step_one()
    assert (again.new_code, again.expires_at) == (False, first.expires_at)
    assert len([row for row in rows(OutboxEmail) if row.template == "staff_login_code"]) == 1
    # From a browser without that code, the sending limit speaks (after a right password only).
    assert refused_step_one(browser=OTHER_BROWSER).message == "We sent a code just now. Try again in 30 seconds."


def test_step_one_needs_the_browser_binding_cookie(database, frozen_clock):
    create_staff()
    for browser in (None, "", "x" * 129, 42):
        assert refused_step_one(browser=browser).message == staff_login.NO_BROWSER_COOKIE
    assert rows(OutboxEmail) == []


def test_a_staff_member_disabled_after_the_code_gets_no_session(database, frozen_clock):
    staff_id = create_staff()
    ticket = staff_ticket()
    with db.write_session() as session:
        account = session.get(StaffAccount, staff_id)
        account.disabled_at = frozen_clock.current
        session.add(account)
    assert staff_login.redeem_ticket(ticket, browser_token=BROWSER, user_agent="", ip=IP) is None
    assert rows(StaffSession) == []


def test_the_staff_password_is_not_a_client_login(database, frozen_clock):
    create_staff()
    with pytest.raises(LoginFailed):
        login.password_login(email=STAFF_EMAIL, password=STAFF_PASSWORD, ip=IP)
