"""Changing the email: prove it's you first (password, or a code to the current address), then a code to the new
address, the usual code rules, the duplicate rule, the old address told with a link to undo it, the security log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from portal_app.accounts import choices, login, security_log, sessions
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.models import Account, EmailCode, UserSession
from portal_app.kernel import db, tokens
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.profile import email_change, service
from portal_app.profile.email_change import (
    CANNOT_CHANGE,
    ENTER_PASSWORD,
    NO_CHANGE_WAITING,
    PROVE_FIRST,
    WRONG_PASSWORD,
)
from portal_app.profile.models import EmailChange, EmailChangeRevert
from tests.profile.email_steps import (
    IP,
    PASSWORD,
    account,
    code_in,
    emails_to,
    latest_code,
    undo_link_in,
    wrong,
)
from tests.support.live_accounts import make_account, set_business, start_session

NEW = "ada.new@example.com"
FORM = {"full_name": "Ada Lovelace", "email": NEW, "phone": "+44 20 7946 0958"}


def refusal(token: str, code: object) -> str:
    with pytest.raises(FieldError) as caught:
        email_change.confirm(sessions.current_session(token), code, ip=IP)
    assert caught.value.field == "code"
    return caught.value.message


def request(token: str, address: str = NEW) -> service.SaveResult:
    return service.save_profile(sessions.current_session(token), {**FORM, "email": address}, ip=IP)


def prove(token: str, secret: object) -> email_change.Proof:
    return email_change.prove_identity(sessions.current_session(token), secret, ip=IP)


def proof_refusal(token: str, secret: object, field: str = "current_password") -> str:
    with pytest.raises(FieldError) as caught:
        prove(token, secret)
    assert caught.value.field == field
    return caught.value.message


def request_and_prove(token: str, address: str = NEW) -> email_change.Proof:
    """Ask for the change and prove it with the password (the account must have PASSWORD)."""
    request(token, address)
    return prove(token, PASSWORD)


def log_of(account_id: int) -> list[tuple[str, str]]:
    """The account's security log lines about its email, oldest first."""
    return [
        (event.kind, event.detail)
        for event in reversed(security_log.for_account(account_id))
        if event.kind.startswith("email_change")
    ]


def password_login_refusal(password: str = PASSWORD) -> str | None:
    """What the login page answers for ada@example.com from the same network; None when it signs in."""
    try:
        login.password_login(email="ada@example.com", password=password, ip=IP)
    except LoginFailed as refused:
        return refused.message
    return None


# --- the happy paths -----------------------------------------------------------------------------------


def test_with_a_password_the_password_comes_first_then_the_code_to_the_new_address(ada_with_password, frozen_clock):
    account_id, token = ada_with_password
    result = request(token)
    assert (result.email_change_to, result.email_step) == (NEW, email_change.STEP_PASSWORD)
    # Nothing is sent anywhere yet, and the account keeps its address.
    assert emails_to(NEW) == [] and emails_to("ada@example.com") == []
    page = service.page_view(account_id, sessions.current_session(token).id)
    assert (page.pending_email, page.email_step, page.pending_code_expires_at) == (NEW, "password", None)
    assert refusal(token, "123456") == PROVE_FIRST

    assert proof_refusal(token, "not my password") == WRONG_PASSWORD
    assert emails_to(NEW) == []
    assert prove(token, PASSWORD) == email_change.Proof(NEW)
    page = service.page_view(account_id, sessions.current_session(token).id)
    assert page.email_step == "new_code"
    assert page.pending_code_expires_at == frozen_clock.current + email_change.code_lifetime()

    [code_email] = emails_to(NEW)
    code = code_in(code_email)
    assert code_email.template == "email_change_code"
    assert "confirm your new" in code_email.subject and code in code_email.text_body and code in code_email.html_body
    assert "15 minutes" in code_email.text_body
    with db.read_session() as session:
        [row] = session.exec(select(EmailCode))
    assert (row.purpose, row.email) == ("email_change", NEW) and code not in row.code_hmac

    assert email_change.confirm(sessions.current_session(token), f" {code[:3]} {code[3:]} ") == NEW
    changed = account(account_id)
    assert (changed.email, changed.exclusive_email, changed.email_verified_at) == (NEW, NEW, frozen_clock.current)
    assert changed.password_hash is not None
    assert service.page_view(account_id, sessions.current_session(token).id).pending_email is None
    assert service.profile_for_apps(account_id).email == NEW

    [notice] = emails_to("ada@example.com")
    assert notice.template == "email_changed_notice"
    assert notice.subject == "The email of your Test Business account was changed"
    assert NEW in notice.text_body and "ada@example.com" in notice.text_body and code not in notice.text_body
    assert "This wasn't me" in notice.html_body and "Undo the change" in notice.text_body
    undo_link_in(notice)

    assert refusal(token, code) == NO_CHANGE_WAITING


def test_without_a_password_a_code_to_the_current_address_comes_first(ada, frozen_clock):
    account_id, token = ada
    result = request(token)
    assert result.email_step == email_change.STEP_CURRENT_CODE
    assert emails_to(NEW) == []
    [identity_email] = emails_to("ada@example.com")
    assert identity_email.template == "email_change_current_code"
    assert NEW in identity_email.text_body and NEW in identity_email.html_body
    assert "If it wasn't you, don't give this code to anyone" in identity_email.text_body
    current_code = code_in(identity_email)
    assert service.page_view(account_id, sessions.current_session(token).id).email_step == "current_code"

    # The code to the current address is no code for the change itself, and a wrong one counts as one.
    assert refusal(token, current_code) == PROVE_FIRST
    assert proof_refusal(token, wrong(current_code), "current_code") == (
        "That code is not right. You have 4 attempts left."
    )
    assert proof_refusal(token, "12 34", "current_code") == "Enter the 6-digit code from the email."
    assert prove(token, current_code) == email_change.Proof(NEW)
    # Proving again (a double submit) sends no second code.
    assert prove(token, "anything") == email_change.Proof(NEW) and len(emails_to(NEW)) == 1

    assert email_change.confirm(sessions.current_session(token), latest_code(NEW)) == NEW
    assert account(account_id).email == NEW
    assert [email.template for email in emails_to("ada@example.com")] == [
        "email_change_current_code",
        "email_changed_notice",
    ]


def test_a_code_to_the_current_address_expires_like_a_login_code(ada, frozen_clock):
    _account_id, token = ada
    request(token)
    current_code = latest_code("ada@example.com")
    frozen_clock.advance(minutes=10, seconds=1)
    assert proof_refusal(token, current_code, "current_code") == "This code has expired. Request a new code."
    frozen_clock.advance(seconds=60)
    assert email_change.resend_identity_code(sessions.current_session(token), ip=IP) == "ada@example.com"
    assert prove(token, latest_code("ada@example.com")).new_email == NEW


def test_the_security_log_tells_the_story(ada_with_password):
    account_id, token = ada_with_password
    request(token)
    assert log_of(account_id) == [("email_change_started", f"to {NEW}")]
    prove(token, PASSWORD)
    email_change.confirm(sessions.current_session(token), latest_code(NEW))
    assert log_of(account_id) == [("email_change_started", f"to {NEW}"), ("email_changed", "from ada@example.com")]
    [changed] = [event for event in security_log.for_account(account_id) if event.kind == "email_changed"]
    assert changed.ip == "" and changed.what == "Email address changed"


def test_a_refused_save_logs_nothing(ada):
    account_id, token = ada
    request(token)
    with pytest.raises(FormErrors):
        request(token, "ada.other@example.com")  # the current address had a code a moment ago
    assert log_of(account_id) == [("email_change_started", f"to {NEW}")]


def test_an_unchanged_email_sends_nothing(ada):
    account_id, token = ada
    result = service.save_profile(sessions.current_session(token), {**FORM, "email": "  ADA@Example.com "})
    assert (result.email_change_to, result.email_step) == (None, None)
    assert emails_to("ada@example.com") == []
    assert service.page_view(account_id, sessions.current_session(token).id).pending_email is None
    assert log_of(account_id) == []


# --- the password step ---------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["", None, 123456, ["pw"], {"$ne": ""}])
def test_a_missing_password_asks_for_it_and_counts_nothing(ada_with_password, secret):
    _account_id, token = ada_with_password
    request(token)
    for _ in range(6):
        assert proof_refusal(token, secret) == ENTER_PASSWORD
    assert emails_to(NEW) == []
    assert prove(token, PASSWORD).new_email == NEW


@pytest.mark.parametrize("secret", ["x" * 1024 * 1024, PASSWORD + "\x00", "\ud800", PASSWORD.upper()])
def test_odd_passwords_are_simply_wrong(ada_with_password, secret):
    _account_id, token = ada_with_password
    request(token)
    assert proof_refusal(token, secret) == WRONG_PASSWORD
    assert emails_to(NEW) == []


def test_wrong_passwords_count_as_failed_logins_and_lock_both(ada_with_password, frozen_clock):
    account_id, token = ada_with_password
    request(token)
    assert [proof_refusal(token, f"guess {n}") for n in range(5)] == [WRONG_PASSWORD] * 5
    # The sixth try, even the right password, waits, and so does the login page.
    assert proof_refusal(token, PASSWORD) == "Too many attempts. Try again in 15 minutes."
    assert password_login_refusal() == "Too many attempts. Try again in 15 minutes."
    assert emails_to(NEW) == [] and account(account_id).email == "ada@example.com"

    frozen_clock.advance(minutes=15, seconds=1)
    assert prove(token, PASSWORD).new_email == NEW
    # The right password is not counted: four wrong ones more are still allowed on the login page.
    for _ in range(4):
        assert password_login_refusal("guess") == login.INCORRECT
    assert password_login_refusal() is None


def test_failed_logins_on_the_login_page_lock_the_password_step_too(ada_with_password):
    _account_id, token = ada_with_password
    request(token)
    for _ in range(5):
        assert password_login_refusal("guess") == login.INCORRECT
    assert proof_refusal(token, PASSWORD).startswith("Too many attempts. Try again in")


def test_a_new_request_needs_a_new_proof(ada_with_password, quick_codes):
    account_id, token = ada_with_password
    request_and_prove(token)
    request(token, "ada.other@example.com")
    assert service.page_view(account_id, sessions.current_session(token).id).email_step == "password"
    assert refusal(token, latest_code(NEW)) == PROVE_FIRST
    with pytest.raises(FieldError) as caught:
        email_change.resend_code(sessions.current_session(token), ip=IP)
    assert caught.value.message == PROVE_FIRST
    assert account(account_id).email == "ada@example.com"


def test_a_sending_limit_on_the_new_address_keeps_the_proof(ada_with_password, frozen_clock):
    account_id, token = ada_with_password
    request_and_prove(token)
    email_change.cancel(sessions.current_session(token))
    request(token)
    proof = prove(token, PASSWORD)
    assert proof.new_email == NEW and proof.code_problem.startswith("You asked for several codes just now.")
    assert len(emails_to(NEW)) == 1
    frozen_clock.advance(seconds=61)
    assert email_change.resend_code(sessions.current_session(token), ip=IP) == NEW
    assert email_change.confirm(sessions.current_session(token), latest_code(NEW)) == NEW
    assert account(account_id).email == NEW


# --- a change belongs to the browser session that asked ------------------------------------------------


def test_another_session_of_the_account_neither_sees_nor_finishes_the_change(ada_with_password):
    account_id, token = ada_with_password
    other = start_session(account_id)
    request(token)
    assert service.page_view(account_id, sessions.current_session(other).id).pending_email is None
    assert proof_refusal(other, PASSWORD) == NO_CHANGE_WAITING
    prove(token, PASSWORD)
    assert refusal(other, latest_code(NEW)) == NO_CHANGE_WAITING
    with pytest.raises(FieldError):
        email_change.resend_code(sessions.current_session(other), ip=IP)
    email_change.cancel(sessions.current_session(other))  # not its change: nothing happens
    assert email_change.confirm(sessions.current_session(token), latest_code(NEW)) == NEW


def test_a_session_that_ended_takes_its_change_with_it(ada_with_password):
    account_id, token = ada_with_password
    request_and_prove(token)
    code = latest_code(NEW)
    sessions.end_session(token)
    with pytest.raises(PermissionError):
        email_change.confirm(sessions.current_session(token), code)
    with db.read_session() as session:
        assert session.get(EmailChange, account_id) is None
    assert account(account_id).email == "ada@example.com"


def test_only_the_signed_in_account_is_changed(ada_with_password):
    _ada_id, ada_token = ada_with_password
    grace_id = make_account("grace@example.com", "Grace Hopper")
    grace_token = start_session(grace_id)
    request_and_prove(ada_token)
    code = latest_code(NEW)
    assert refusal(grace_token, code) == NO_CHANGE_WAITING
    assert proof_refusal(grace_token, PASSWORD, "current_code") == NO_CHANGE_WAITING
    assert account(grace_id).email == "grace@example.com"
    assert email_change.confirm(sessions.current_session(ada_token), code) == NEW
    for bad_token in [None, "", "nope", 7, "x" * 1024 * 1024]:
        signed_in = sessions.current_session(bad_token)
        for call in (
            lambda: email_change.confirm(signed_in, code),
            lambda: email_change.prove_identity(signed_in, PASSWORD, ip=IP),
            lambda: email_change.resend_code(signed_in, ip=""),
            lambda: email_change.resend_identity_code(signed_in, ip=""),
            lambda: email_change.cancel(signed_in),
        ):
            with pytest.raises(PermissionError):
                call()


def test_other_sessions_of_the_account_no_longer_reach_accounts_on_either_address(ada_with_password):
    account_id, token = ada_with_password
    other = start_session(account_id, auth_method="code", peer_scope=choices.EMAIL_SCOPE)
    request_and_prove(token)
    email_change.confirm(sessions.current_session(token), latest_code(NEW))
    with db.read_session() as session:
        scopes = {row.token_hash: row.peer_scope for row in session.exec(select(UserSession))}
    assert scopes[tokens.hash_token(token)] == choices.EMAIL_SCOPE
    assert scopes[tokens.hash_token(other)] == choices.scope_of_ids([account_id])


# --- the code rules for the new address ----------------------------------------------------------------


def test_five_wrong_codes_kill_the_code(ada_with_password):
    account_id, token = ada_with_password
    request_and_prove(token)
    code = latest_code(NEW)
    messages = [refusal(token, wrong(code)) for _ in range(5)]
    assert messages == [
        "That code is not right. You have 4 attempts left.",
        "That code is not right. You have 3 attempts left.",
        "That code is not right. You have 2 attempts left.",
        "That code is not right. You have 1 attempt left.",
        "Too many wrong codes. Request a new code.",
    ]
    assert refusal(token, code) == "Too many wrong codes. Request a new code."
    assert account(account_id).email == "ada@example.com"


def test_a_new_code_works_and_voids_the_old_one(ada_with_password, frozen_clock):
    account_id, token = ada_with_password
    request_and_prove(token)
    old = latest_code(NEW)
    with pytest.raises(FieldError) as too_soon:
        email_change.resend_code(sessions.current_session(token), ip=IP)
    assert too_soon.value.field == "code" and too_soon.value.message.startswith("You asked for several codes just now.")
    frozen_clock.advance(seconds=61)
    assert email_change.resend_code(sessions.current_session(token), ip=IP) == NEW
    new = latest_code(NEW)
    if new != old:
        assert refusal(token, old) == "That code is not right. You have 4 attempts left."
    assert email_change.confirm(sessions.current_session(token), new) == NEW
    assert account(account_id).email == NEW


def test_an_expired_code_says_so(ada_with_password, frozen_clock):
    account_id, token = ada_with_password
    request_and_prove(token)
    code = latest_code(NEW)
    frozen_clock.advance(minutes=15, seconds=1)
    assert refusal(token, code) == "This code has expired. Request a new code."
    assert service.page_view(account_id, sessions.current_session(token).id).pending_email == NEW
    assert account(account_id).email == "ada@example.com"


def test_a_forgotten_change_is_gone_after_its_grace_hour(ada_with_password, frozen_clock):
    account_id, token = ada_with_password
    request_and_prove(token)
    frozen_clock.advance(minutes=15 + 60, seconds=1)
    assert service.page_view(account_id, sessions.current_session(token).id).pending_email is None
    assert refusal(token, latest_code(NEW)) == NO_CHANGE_WAITING


@pytest.mark.parametrize(
    "code", ["", "12345", "abcdef", "1" * 1024 * 1024, None, 123456, ["123456"], "１２３４５６", "123\x00456"]
)
def test_malformed_codes_are_refused_without_an_attempt(ada_with_password, code):
    _account_id, token = ada_with_password
    request_and_prove(token)
    assert refusal(token, code) == "Enter the 6-digit code from the email."
    with db.read_session() as session:
        assert [row.attempts for row in session.exec(select(EmailCode))] == [0]


def test_sending_limits_refuse_the_whole_save(ada, frozen_clock):
    account_id, token = ada
    request(token)
    with pytest.raises(FormErrors) as caught:
        service.save_profile(sessions.current_session(token), {**FORM, "full_name": "Changed", "email": NEW})
    assert list(caught.value.errors) == ["email"]
    assert caught.value.errors["email"].startswith("You asked for several codes just now. Try again in")
    assert account(account_id).full_name == "Ada Lovelace"
    assert len(emails_to("ada@example.com")) == 1


def test_the_shared_failure_budget_locks_code_entry_for_the_new_address(ada_with_password, settings_env, quick_codes):
    settings_env(PORTAL_CODE_FAILURES_PER_DAY="3")
    account_id, token = ada_with_password
    request_and_prove(token)
    code = latest_code(NEW)
    refusal(token, wrong(code))
    refusal(token, wrong(code))
    locked = refusal(token, wrong(code))
    assert "locked" in locked and "until" in locked
    assert refusal(token, code) == locked
    request(token)
    assert prove(token, PASSWORD).code_problem.startswith("Codes for this address are paused until")
    assert account(account_id).email == "ada@example.com"


def test_the_failure_budget_of_the_current_address_pauses_a_passwordless_change(ada, settings_env, quick_codes):
    settings_env(PORTAL_CODE_FAILURES_PER_DAY="2")
    account_id, token = ada
    request(token)
    current_code = latest_code("ada@example.com")
    proof_refusal(token, wrong(current_code), "current_code")
    locked = proof_refusal(token, wrong(current_code), "current_code")
    assert "locked" in locked and "until" in locked
    with pytest.raises(FormErrors) as caught:
        request(token, "ada.other@example.com")
    assert caught.value.errors["email"].startswith("Codes for your current address are paused until")
    assert account(account_id).email == "ada@example.com"


def test_keeping_the_current_email_drops_the_change(ada_with_password):
    account_id, token = ada_with_password
    request_and_prove(token)
    code = latest_code(NEW)
    email_change.cancel(sessions.current_session(token))
    assert service.page_view(account_id, sessions.current_session(token).id).pending_email is None
    assert refusal(token, code) == NO_CHANGE_WAITING
    assert account(account_id).email == "ada@example.com"


def test_asking_for_another_address_replaces_the_first(ada_with_password, quick_codes):
    account_id, token = ada_with_password
    request_and_prove(token)
    first = latest_code(NEW)
    request_and_prove(token, "ada.other@example.com")
    assert service.page_view(account_id, sessions.current_session(token).id).pending_email == "ada.other@example.com"
    second = latest_code("ada.other@example.com")
    if second != first:  # checked against the other address's code
        assert refusal(token, first) == "That code is not right. You have 4 attempts left."
    assert email_change.confirm(sessions.current_session(token), second) == "ada.other@example.com"


# --- the duplicate rule --------------------------------------------------------------------------------


def test_duplicates_off_an_address_in_use_looks_the_same_on_screen_but_cannot_be_taken(ada_with_password, quick_codes):
    account_id, token = ada_with_password
    free_result = request(token, "free@example.com")
    email_change.cancel(sessions.current_session(token))
    taken_id = make_account("taken@example.com", "Someone Else")

    result = request(token, "taken@example.com")
    assert (free_result.email_step, result.email_step) == ("password", "password")
    assert result.missing == free_result.missing
    assert prove(token, PASSWORD) == email_change.Proof("taken@example.com")
    assert service.page_view(account_id, sessions.current_session(token).id).pending_email == "taken@example.com"

    [email] = emails_to("taken@example.com")
    assert email.subject.endswith("this address already has a Test Business account")
    assert "already uses this address" in email.text_body

    code = code_in(email)
    assert refusal(token, wrong(code)) == "That code is not right. You have 4 attempts left."
    assert refusal(token, code) == CANNOT_CHANGE
    assert account(account_id).email == "ada@example.com"
    assert account(taken_id).email == "taken@example.com"
    assert service.page_view(account_id, sessions.current_session(token).id).pending_email is None
    assert emails_to("ada@example.com") == []


def test_duplicates_off_an_address_taken_after_the_code_was_sent_is_refused(ada_with_password):
    account_id, token = ada_with_password
    request_and_prove(token)
    code = latest_code(NEW)
    make_account(NEW, "Quicker Signup")
    assert refusal(token, code) == CANNOT_CHANGE
    assert account(account_id).email == "ada@example.com"


def test_duplicates_on_an_address_in_use_can_be_shared(ada_with_password):
    account_id, token = ada_with_password
    set_business(allow_duplicate_contacts=True)
    other_id = make_account("shared@example.com", "Other Ada", exclusive=False)
    request_and_prove(token, "shared@example.com")
    email = emails_to("shared@example.com")[-1]
    assert "confirm your new" in email.subject
    assert email_change.confirm(sessions.current_session(token), code_in(email)) == "shared@example.com"
    changed = account(account_id)
    assert (changed.email, changed.exclusive_email) == ("shared@example.com", None)
    assert account(other_id).email == "shared@example.com"


def test_duplicates_off_the_new_address_is_claimed_exclusively(ada_with_password):
    account_id, token = ada_with_password
    request_and_prove(token)
    email_change.confirm(sessions.current_session(token), latest_code(NEW))
    with db.read_session() as session:
        assert session.exec(select(Account.id).where(Account.exclusive_email == NEW)).all() == [account_id]
        assert session.exec(select(Account.id).where(Account.exclusive_email == "ada@example.com")).all() == []
        assert session.get(EmailChange, account_id) is None


# --- the "This wasn't me" link the old address gets ----------------------------------------------------


def test_the_undo_link_is_stored_only_as_a_hash_for_seven_days(ada_with_password, frozen_clock):
    account_id, token = ada_with_password
    request_and_prove(token)
    email_change.confirm(sessions.current_session(token), latest_code(NEW))
    [notice] = emails_to("ada@example.com")
    link = undo_link_in(notice)
    assert link.startswith("http://localhost:3000/profile/undo-email?token=")
    link_token = link.split("token=", 1)[1]
    assert len(link_token) >= 43
    with db.read_session() as session:
        [row] = session.exec(select(EmailChangeRevert))
    assert row.token_hash == tokens.hash_token(link_token) and link_token not in repr(row)
    assert (row.account_id, row.old_email, row.new_email) == (account_id, "ada@example.com", NEW)
    assert row.expires_at - row.created_at == timedelta(days=7)
    assert "until " in notice.text_body and (row.used_at, row.voided_at) == (None, None)


def test_each_change_gets_its_own_link(ada_with_password, quick_codes):
    account_id, token = ada_with_password
    request_and_prove(token)
    email_change.confirm(sessions.current_session(token), latest_code(NEW))
    request_and_prove(token, "ada.third@example.com")
    email_change.confirm(sessions.current_session(token), latest_code("ada.third@example.com"))
    with db.read_session() as session:
        rows = session.exec(select(EmailChangeRevert).order_by(col(EmailChangeRevert.id))).all()
    assert [(row.old_email, row.new_email) for row in rows] == [
        ("ada@example.com", NEW),
        (NEW, "ada.third@example.com"),
    ]
    assert undo_link_in(emails_to("ada@example.com")[-1]) != undo_link_in(emails_to(NEW)[-1])
