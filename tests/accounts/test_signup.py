"""Signup: pending signup and emailed code first, the account after the code; limits; the duplicate rule."""

from datetime import timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from portal_app.accounts import choices, login, passwords, sessions, signup, tickets
from portal_app.accounts.errors import ResendTooSoon
from portal_app.accounts.models import EmailCode, PendingSignup, RateEvent, UserSession
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError, FormErrors
from tests.support.accounts import IP, PASSWORD, accounts_for, begin_signup, latest_code, latest_email, sign_up
from tests.support.browser import redeem_bound

EMAIL = "ada@example.com"


def count(model) -> int:
    with db.read_session() as session:
        return len(session.exec(select(model)).all())


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def allow_duplicates(value: bool) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.allow_duplicate_contacts = value
        session.add(business)


def test_signup_creates_a_pending_signup_and_emails_a_code_but_no_account(database, frozen_clock):
    flow = begin_signup(" Ada@Example.com ", full_name="  Ada Lovelace ")
    assert accounts_for(EMAIL) == []
    view = signup.pending_view(flow)
    now = frozen_clock.current
    assert view == signup.PendingView(
        email=EMAIL,
        expires_at=now + timedelta(minutes=75),
        code_expires_at=now + timedelta(minutes=15),
        resend_available_at=now + timedelta(seconds=60),
    )
    email = latest_email(EMAIL)
    assert email.template == "signup_code" and email.status == "pending"
    assert email.text_body.startswith("Hello,\n") and "expires in 15 minutes" in email.text_body
    assert latest_code(EMAIL) in email.html_body


def test_the_code_and_password_are_stored_only_in_protected_form(database, frozen_clock):
    begin_signup(EMAIL)
    code = latest_code(EMAIL)
    with db.read_session() as session:
        stored_hash = session.exec(select(PendingSignup.password_hash)).one()
        assert passwords.verify_password(stored_hash, PASSWORD)
        connection = session.connection()
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    assert PASSWORD not in str(value)
                    if table != "outboxemail" and column != "code_hmac":
                        assert code not in str(value), f"plain code in {table}.{column}"


def test_the_right_code_creates_a_verified_account_and_signs_in(database, frozen_clock):
    flow = begin_signup(EMAIL, full_name="李小龍 🐉")
    ticket = signup.verify_signup(flow, f" {latest_code(EMAIL)[:3]} {latest_code(EMAIL)[3:]} ")
    grant = redeem_bound(ticket, user_agent="pytest", ip=IP)
    assert (grant.name, grant.next_path) == (tickets.SESSION_COOKIE, "/")
    [account] = accounts_for(EMAIL)
    assert sessions.account_for_token(grant.value) == account.id
    assert sessions.current_session(grant.value).peer_scope == choices.EMAIL_SCOPE  # the code proved the mailbox
    assert account.full_name == "李小龍 🐉" and account.exclusive_email == EMAIL
    assert account.email_verified_at == account.created_at == account.last_login_at == frozen_clock.current
    assert passwords.verify_password(account.password_hash, PASSWORD)
    with db.read_session() as session:
        assert session.exec(select(UserSession.auth_method)).one() == "signup"
    assert count(PendingSignup) == 0 and count(EmailCode) == 0
    assert signup.pending_view(flow) is None
    with pytest.raises(FieldError, match="Your signup has expired. Please sign up again."):
        signup.verify_signup(flow, latest_code(EMAIL))


def test_wrong_codes_count_down_then_kill_the_code(database, frozen_clock):
    flow = begin_signup(EMAIL)
    code = latest_code(EMAIL)
    messages = []
    for _ in range(5):
        with pytest.raises(FieldError) as caught:
            signup.verify_signup(flow, wrong(code))
        messages.append(caught.value.message)
    assert messages == [
        "That code is not right. You have 4 attempts left.",
        "That code is not right. You have 3 attempts left.",
        "That code is not right. You have 2 attempts left.",
        "That code is not right. You have 1 attempt left.",
        "Too many wrong codes. Request a new code.",
    ]
    with pytest.raises(FieldError, match="Too many wrong codes. Request a new code."):
        signup.verify_signup(flow, code)
    assert signup.pending_view(flow).code_expires_at is None
    frozen_clock.advance(seconds=60)
    signup.resend_signup_code(flow, ip=IP)
    signup.verify_signup(flow, latest_code(EMAIL))
    assert len(accounts_for(EMAIL)) == 1


def test_an_expired_code_says_so_and_a_new_one_works(database, frozen_clock):
    flow = begin_signup(EMAIL)
    code = latest_code(EMAIL)
    frozen_clock.advance(minutes=15)
    with pytest.raises(FieldError, match="This code has expired. Request a new code."):
        signup.verify_signup(flow, code)
    signup.resend_signup_code(flow, ip=IP)
    signup.verify_signup(flow, latest_code(EMAIL))
    assert len(accounts_for(EMAIL)) == 1


def test_an_abandoned_signup_expires(database, frozen_clock):
    flow = begin_signup(EMAIL)
    code = latest_code(EMAIL)
    frozen_clock.advance(minutes=75)
    assert signup.pending_view(flow) is None
    with pytest.raises(FieldError, match="Your signup has expired. Please sign up again."):
        signup.verify_signup(flow, code)
    with pytest.raises(FieldError, match="Your signup has expired. Please sign up again."):
        signup.resend_signup_code(flow, ip=IP)


def test_resend_voids_the_old_code_and_waits_sixty_seconds(database, frozen_clock):
    flow = begin_signup(EMAIL)
    first = latest_code(EMAIL)
    with pytest.raises(ResendTooSoon) as caught:
        signup.resend_signup_code(flow, ip=IP)
    assert caught.value.retry_after == timedelta(seconds=60)
    assert caught.value.message == "You asked for several codes just now. Try again in 1 minute."
    frozen_clock.advance(seconds=45)
    with pytest.raises(ResendTooSoon, match="Try again in 15 seconds."):
        signup.resend_signup_code(flow, ip=IP)
    frozen_clock.advance(seconds=15)
    assert signup.resend_signup_code(flow, ip=IP) == frozen_clock.current + timedelta(seconds=60)
    assert signup.pending_view(flow).resend_available_at == frozen_clock.current + timedelta(seconds=60)
    second = latest_code(EMAIL)
    assert count(OutboxEmail) == 2
    if first != second:
        with pytest.raises(FieldError, match="That code is not right"):
            signup.verify_signup(flow, first)
    signup.verify_signup(flow, second)


def test_at_most_five_codes_an_hour_per_email(database, frozen_clock):
    flow = begin_signup(EMAIL)
    for _ in range(4):
        frozen_clock.advance(minutes=2)
        next_allowed = signup.resend_signup_code(flow, ip=IP)
    # Five sent at 0, 2, 4, 6 and 8 minutes: the sixth waits for the first to be an hour old.
    assert next_allowed == frozen_clock.current + timedelta(minutes=52)
    frozen_clock.advance(minutes=2)
    with pytest.raises(ResendTooSoon) as caught:
        signup.resend_signup_code(flow, ip=IP)
    assert caught.value.retry_after == timedelta(minutes=50)
    assert caught.value.message == "You asked for several codes just now. Try again in 50 minutes."
    # A fresh signup for the same email is held to the same limit, with the same words.
    with pytest.raises(FormErrors) as refused:
        begin_signup(EMAIL)
    assert refused.value.errors == {"email": "You asked for several codes just now. Try again in 50 minutes."}
    frozen_clock.advance(minutes=50)
    signup.resend_signup_code(flow, ip=IP)
    assert count(OutboxEmail) == 6


def test_at_most_twenty_code_requests_a_minute_per_ip(database, frozen_clock, settings_env):
    for number in range(20):
        begin_signup(f"person{number}@example.com", ip="198.51.100.7")
    with pytest.raises(FormErrors) as refused:
        begin_signup("person20@example.com", ip="198.51.100.7")
    assert refused.value.errors == {"email": "You asked for several codes just now. Try again in 1 minute."}
    begin_signup("person20@example.com", ip="198.51.100.8")
    frozen_clock.advance(seconds=60)
    begin_signup("person21@example.com", ip="198.51.100.7")
    assert count(PendingSignup) == 22 and count(OutboxEmail) == 22


def test_the_screen_answers_the_same_for_an_existing_email(database, frozen_clock):
    sign_up(EMAIL, full_name="Ada Lovelace")
    frozen_clock.advance(minutes=2)
    ticket = signup.start_signup(full_name="Mallory", email=EMAIL, password="another-password-99", ip=IP)
    grant = redeem_bound(ticket, user_agent="pytest", ip=IP)
    assert (grant.name, grant.next_path) == (tickets.SIGNUP_COOKIE, "/verify")
    view = signup.pending_view(grant.value)
    assert view.email == EMAIL and view.resend_available_at == frozen_clock.current + timedelta(seconds=60)


def test_duplicates_off_an_existing_email_gets_a_login_code_into_the_same_account(database, frozen_clock):
    sign_up(EMAIL, full_name="Ada Lovelace")
    [original] = accounts_for(EMAIL)
    frozen_clock.advance(minutes=2)
    flow = begin_signup(EMAIL, full_name="Mallory", password="another-password-99")
    email = latest_email(EMAIL)
    assert email.template == "existing_account_code" and "you already have an account" in email.text_body
    grant = redeem_bound(signup.verify_signup(flow, latest_code(EMAIL)), user_agent="", ip="")
    [account] = accounts_for(EMAIL)
    assert account.id == original.id and sessions.account_for_token(grant.value) == original.id
    assert account.full_name == "Ada Lovelace" and account.password_hash == original.password_hash
    assert account.last_login_at == frozen_clock.current
    with db.read_session() as session:
        assert session.exec(select(UserSession.auth_method)).all() == ["code"]
    assert count(PendingSignup) == 0


def test_duplicates_off_offers_every_earlier_duplicate_to_choose_from(database, frozen_clock):
    allow_duplicates(True)
    sign_up(EMAIL, full_name="First")
    frozen_clock.advance(minutes=2)
    sign_up(EMAIL, full_name="Second")
    allow_duplicates(False)
    frozen_clock.advance(minutes=2)
    grant = redeem_bound(sign_up(EMAIL, full_name="Third"), user_agent="", ip="")
    assert (grant.name, grant.next_path) == (tickets.CHOICE_COOKIE, "/accounts")
    first, second = accounts_for(EMAIL)
    assert [account.full_name for account in choices.choice_view(grant.value).accounts] == ["First", "Second"]
    assert first.exclusive_email is None and second.exclusive_email is None
    session_grant = redeem_bound(choices.choose_account(grant.value, second.id, remember=False), user_agent="", ip="")
    assert sessions.current_session(session_grant.value).auth_method == "code"
    assert sessions.account_for_token(session_grant.value) == second.id


def test_duplicates_on_every_verified_signup_is_a_new_account(database, frozen_clock):
    allow_duplicates(True)
    sign_up(EMAIL, full_name="Ada at work")
    frozen_clock.advance(minutes=2)
    flow = begin_signup(EMAIL, full_name="Ada at home", password="another-password-99")
    assert latest_email(EMAIL).template == "signup_code"
    grant = redeem_bound(signup.verify_signup(flow, latest_code(EMAIL)), user_agent="", ip="")
    work, home = accounts_for(EMAIL)
    assert (work.full_name, home.full_name) == ("Ada at work", "Ada at home")
    assert work.exclusive_email is None and home.exclusive_email is None
    assert sessions.account_for_token(grant.value) == home.id
    assert passwords.verify_password(home.password_hash, "another-password-99")


def test_pending_signups_block_nobody(database, frozen_clock):
    stale = begin_signup(EMAIL, full_name="Someone else")
    frozen_clock.advance(minutes=2)
    mine = begin_signup(EMAIL, full_name="Ada Lovelace")
    signup.verify_signup(mine, latest_code(EMAIL))
    [account] = accounts_for(EMAIL)
    assert account.full_name == "Ada Lovelace"
    assert signup.pending_view(stale) is not None


def test_every_field_says_what_is_wrong_at_once(database, frozen_clock):
    with pytest.raises(FormErrors) as refused:
        signup.start_signup(full_name=" ", email="not an email", password="short", ip=IP)
    assert set(refused.value.errors) == {"full_name", "email", "password"}
    assert refused.value.errors["password"] == "Use at least 10 characters."
    assert count(PendingSignup) == count(OutboxEmail) == count(RateEvent) == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"full_name": None, "email": None, "password": None},
        {"full_name": {"a": 1}, "email": ["a@example.com"], "password": 1234567890},
        {"full_name": "x" * 1_000_000, "email": "a" * 1_000_000, "password": "p" * 1_000_000},
        {"full_name": "Ada\x00", "email": "ada\x00@example.com", "password": "plum\x00velvet-orbit"},
        {"full_name": "Ada \u202eecalevoL", "email": "ada@example.com\n", "password": "ada-plum-velvet-orbit"},
    ],
)
def test_bad_input_is_refused_with_messages_and_stores_nothing(database, frozen_clock, fields):
    with pytest.raises(FormErrors) as refused:
        signup.start_signup(**fields, ip=IP)
    assert refused.value.errors and all(refused.value.errors.values())
    assert count(PendingSignup) == count(OutboxEmail) == count(EmailCode) == 0


@pytest.mark.parametrize("flow, code", [(None, "123456"), (42, None), ("x" * 1_000_000, "1" * 1_000_000), ({}, [])])
def test_bad_flow_tokens_and_codes_are_field_errors(database, frozen_clock, flow, code):
    with pytest.raises(FieldError) as caught:
        signup.verify_signup(flow, code)
    assert caught.value.field == "code"
    with pytest.raises(FieldError):
        signup.resend_signup_code(flow, ip=None)
    assert signup.pending_view(flow) is None


def test_a_malformed_code_costs_no_attempt(database, frozen_clock):
    flow = begin_signup(EMAIL)
    for bad in ["12345", "abcdef", None, {"code": "123456"}]:
        with pytest.raises(FieldError, match="Enter the 6-digit code from the email."):
            signup.verify_signup(flow, bad)
    with db.read_session() as session:
        assert session.exec(select(EmailCode.attempts)).one() == 0


def test_the_email_and_code_commit_or_fail_together(database, frozen_clock):
    with db.write_session() as session:
        session.connection().exec_driver_sql(
            "CREATE TRIGGER refuse_tickets BEFORE INSERT ON loginticket BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    with pytest.raises(SQLAlchemyError):
        signup.start_signup(full_name="Ada", email=EMAIL, password=PASSWORD, ip=IP)
    assert count(OutboxEmail) == count(EmailCode) == count(PendingSignup) == 0
    # The argon2 work was done, so the network's reserved send stays counted; the email's went back.
    with db.read_session() as session:
        assert session.exec(select(RateEvent.kind)).all() == ["code_send_ip"]


def test_too_many_refused_codes_lock_code_entry_but_not_password_login(database, frozen_clock):
    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)
    flow = begin_signup(EMAIL, full_name="Mallory", password="another-password-99")
    code = latest_code(EMAIL)
    messages = []
    for _ in range(20):
        with pytest.raises(FieldError) as caught:
            signup.verify_signup(flow, wrong(code))
        messages.append(caught.value.message)
    locked = (
        "Too many wrong codes for this email from your network. Code entry is locked here until 12:02 UTC. "
        "You can still log in with your password or the emailed link."
    )
    assert messages[-1] == locked and locked not in messages[:-1]
    with pytest.raises(FieldError, match=locked):
        signup.verify_signup(flow, code)
    assert redeem_bound(login.password_login(email=EMAIL, password=PASSWORD, ip=IP), user_agent="", ip="")
