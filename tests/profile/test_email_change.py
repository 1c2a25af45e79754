"""Changing the email: a code to the new address, the usual code rules, the duplicate rule, the old address told."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from portal_app.accounts import choices, sessions
from portal_app.accounts.models import Account, EmailCode, UserSession
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db, tokens
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.profile import email_change, service
from portal_app.profile.email_change import CANNOT_CHANGE, NO_CHANGE_WAITING
from portal_app.profile.models import EmailChange
from tests.support.live_accounts import make_account, set_business, start_session

NEW = "ada.new@example.com"
FORM = {"full_name": "Ada Lovelace", "email": NEW, "phone": "+44 20 7946 0958"}


def emails_to(address: str) -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(
            session.exec(select(OutboxEmail).where(OutboxEmail.to_email == address).order_by(col(OutboxEmail.id)))
        )


def code_in(email: OutboxEmail) -> str:
    return re.match(r"(\d{6})\D", email.subject).group(1)


def latest_code(address: str = NEW) -> str:
    return code_in(emails_to(address)[-1])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def account(account_id: int) -> Account:
    with db.read_session() as session:
        return session.get(Account, account_id)


def refusal(token: str, code: object) -> str:
    with pytest.raises(FieldError) as caught:
        email_change.confirm(sessions.current_session(token), code)
    assert caught.value.field == "code"
    return caught.value.message


def request(token: str, address: str = NEW) -> service.SaveResult:
    return service.save_profile(sessions.current_session(token), {**FORM, "email": address}, ip="203.0.113.9")


# --- the happy path ------------------------------------------------------------------------------------


def test_a_new_email_gets_a_code_and_changes_only_once_it_is_entered(ada, frozen_clock):
    account_id, token = ada
    result = request(token)
    assert result.code_sent_to == NEW
    assert account(account_id).email == "ada@example.com"
    page = service.page_view(account_id)
    assert page.pending_email == NEW and page.profile.email == "ada@example.com"
    assert page.pending_code_expires_at == frozen_clock.current + email_change.code_lifetime()

    [code_email] = emails_to(NEW)
    code = code_in(code_email)
    assert code_email.template == "email_change_code"
    assert "confirm your new" in code_email.subject and code in code_email.text_body and code in code_email.html_body
    assert "15 minutes" in code_email.text_body
    with db.read_session() as session:
        [row] = session.exec(select(EmailCode))
    assert (row.purpose, row.email) == ("email_change", NEW) and code not in row.code_hmac
    assert emails_to("ada@example.com") == []

    assert email_change.confirm(sessions.current_session(token), f" {code[:3]} {code[3:]} ") == NEW
    changed = account(account_id)
    assert (changed.email, changed.exclusive_email, changed.email_verified_at) == (NEW, NEW, frozen_clock.current)
    assert service.page_view(account_id).pending_email is None
    assert service.profile_for_apps(account_id).email == NEW

    [notice] = emails_to("ada@example.com")
    assert notice.template == "email_changed_notice"
    assert notice.subject == "The email of your Test Business account was changed"
    assert NEW in notice.text_body and "ada@example.com" in notice.text_body and code not in notice.text_body

    assert refusal(token, code) == NO_CHANGE_WAITING


def test_an_unchanged_email_sends_nothing(ada):
    account_id, token = ada
    result = service.save_profile(sessions.current_session(token), {**FORM, "email": "  ADA@Example.com "})
    assert result.code_sent_to is None
    assert emails_to("ada@example.com") == [] and service.page_view(account_id).pending_email is None


# --- the code rules ------------------------------------------------------------------------------------


def test_five_wrong_codes_kill_the_code(ada):
    account_id, token = ada
    request(token)
    code = latest_code()
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


def test_a_new_code_works_and_voids_the_old_one(ada, frozen_clock):
    account_id, token = ada
    request(token)
    old = latest_code()
    with pytest.raises(FieldError) as too_soon:
        email_change.resend_code(sessions.current_session(token), ip="203.0.113.9")
    assert too_soon.value.field == "code" and too_soon.value.message.startswith("You asked for several codes just now.")
    frozen_clock.advance(seconds=61)
    assert email_change.resend_code(sessions.current_session(token), ip="203.0.113.9") == NEW
    new = latest_code()
    if new != old:
        assert refusal(token, old) == "That code is not right. You have 4 attempts left."
    assert email_change.confirm(sessions.current_session(token), new) == NEW
    assert account(account_id).email == NEW


def test_an_expired_code_says_so(ada, frozen_clock):
    account_id, token = ada
    request(token)
    code = latest_code()
    frozen_clock.advance(minutes=15, seconds=1)
    assert refusal(token, code) == "This code has expired. Request a new code."
    assert service.page_view(account_id).pending_email == NEW
    assert account(account_id).email == "ada@example.com"


def test_a_forgotten_change_is_gone_after_its_grace_hour(ada, frozen_clock):
    account_id, token = ada
    request(token)
    frozen_clock.advance(minutes=15 + 60, seconds=1)
    assert service.page_view(account_id).pending_email is None
    assert refusal(token, latest_code()) == NO_CHANGE_WAITING


@pytest.mark.parametrize(
    "code", ["", "12345", "abcdef", "1" * 1024 * 1024, None, 123456, ["123456"], "１２３４５６", "123\x00456"]
)
def test_malformed_codes_are_refused_without_an_attempt(ada, code):
    _account_id, token = ada
    request(token)
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
    assert len(emails_to(NEW)) == 1


def test_the_shared_failure_budget_locks_code_entry_for_the_new_address(ada, settings_env, quick_codes):
    settings_env(PORTAL_CODE_FAILURES_PER_DAY="3")
    account_id, token = ada
    request(token)
    code = latest_code()
    refusal(token, wrong(code))
    refusal(token, wrong(code))
    locked = refusal(token, wrong(code))
    assert locked.startswith("Code entry for this email is locked until")
    assert refusal(token, code).startswith("Code entry for this email is locked until")
    with pytest.raises(FormErrors) as caught:
        request(token)
    assert caught.value.errors["email"].startswith("Codes for this address are paused until")
    assert account(account_id).email == "ada@example.com"


def test_keeping_the_current_email_drops_the_change(ada):
    account_id, token = ada
    request(token)
    code = latest_code()
    email_change.cancel(sessions.current_session(token))
    assert service.page_view(account_id).pending_email is None
    assert refusal(token, code) == NO_CHANGE_WAITING
    assert account(account_id).email == "ada@example.com"


def test_asking_for_another_address_replaces_the_first(ada, quick_codes):
    account_id, token = ada
    request(token)
    first = latest_code()
    request(token, "ada.other@example.com")
    assert service.page_view(account_id).pending_email == "ada.other@example.com"
    second = latest_code("ada.other@example.com")
    if second != first:  # checked against the other address's code
        assert refusal(token, first) == "That code is not right. You have 4 attempts left."
    assert (
        email_change.confirm(sessions.current_session(token), latest_code("ada.other@example.com"))
        == "ada.other@example.com"
    )


# --- identity ------------------------------------------------------------------------------------------


def test_only_the_signed_in_account_is_changed(ada):
    _ada_id, ada_token = ada
    grace_id = make_account("grace@example.com", "Grace Hopper")
    grace_token = start_session(grace_id)
    request(ada_token)
    code = latest_code()
    assert refusal(grace_token, code) == NO_CHANGE_WAITING
    assert account(grace_id).email == "grace@example.com"
    assert email_change.confirm(sessions.current_session(ada_token), code) == NEW
    for bad_token in [None, "", "nope", 7, "x" * 1024 * 1024]:
        with pytest.raises(PermissionError):
            email_change.confirm(sessions.current_session(bad_token), code)
        with pytest.raises(PermissionError):
            email_change.resend_code(sessions.current_session(bad_token), ip="")
        with pytest.raises(PermissionError):
            email_change.cancel(sessions.current_session(bad_token))


def test_a_session_that_ended_cannot_confirm(ada):
    account_id, token = ada
    request(token)
    code = latest_code()
    sessions.end_session(token)
    with pytest.raises(PermissionError):
        email_change.confirm(sessions.current_session(token), code)
    assert account(account_id).email == "ada@example.com"


def test_other_sessions_of_the_account_no_longer_reach_accounts_on_either_address(ada):
    account_id, token = ada
    other = start_session(account_id, auth_method="code", peer_scope=choices.EMAIL_SCOPE)
    request(token)
    email_change.confirm(sessions.current_session(token), latest_code())
    with db.read_session() as session:
        scopes = {row.token_hash: row.peer_scope for row in session.exec(select(UserSession))}
    assert scopes[tokens.hash_token(token)] == choices.EMAIL_SCOPE
    assert scopes[tokens.hash_token(other)] == choices.scope_of_ids([account_id])


# --- the duplicate rule --------------------------------------------------------------------------------


def test_duplicates_off_an_address_in_use_looks_the_same_on_screen_but_cannot_be_taken(ada):
    account_id, token = ada
    free_result = request(token, "free@example.com")
    email_change.cancel(sessions.current_session(token))
    taken_id = make_account("taken@example.com", "Someone Else")

    result = request(token, "taken@example.com")
    assert (free_result.code_sent_to, result.code_sent_to) == ("free@example.com", "taken@example.com")
    assert result.missing == free_result.missing
    assert service.page_view(account_id).pending_email == "taken@example.com"

    [email] = emails_to("taken@example.com")
    assert email.subject.endswith("this address already has a Test Business account")
    assert "already uses this address" in email.text_body

    code = code_in(email)
    assert refusal(token, wrong(code)) == "That code is not right. You have 4 attempts left."
    assert refusal(token, code) == CANNOT_CHANGE
    assert account(account_id).email == "ada@example.com"
    assert account(taken_id).email == "taken@example.com"
    assert service.page_view(account_id).pending_email is None
    assert emails_to("ada@example.com") == []


def test_duplicates_off_an_address_taken_after_the_code_was_sent_is_refused(ada):
    account_id, token = ada
    request(token)
    code = latest_code()
    make_account(NEW, "Quicker Signup")
    assert refusal(token, code) == CANNOT_CHANGE
    assert account(account_id).email == "ada@example.com"


def test_duplicates_on_an_address_in_use_can_be_shared(ada):
    account_id, token = ada
    set_business(allow_duplicate_contacts=True)
    other_id = make_account("shared@example.com", "Other Ada", exclusive=False)
    request(token, "shared@example.com")
    email = emails_to("shared@example.com")[-1]
    assert "confirm your new" in email.subject
    assert email_change.confirm(sessions.current_session(token), code_in(email)) == "shared@example.com"
    changed = account(account_id)
    assert (changed.email, changed.exclusive_email) == ("shared@example.com", None)
    assert account(other_id).email == "shared@example.com"


def test_duplicates_off_the_new_address_is_claimed_exclusively(ada):
    account_id, token = ada
    request(token)
    email_change.confirm(sessions.current_session(token), latest_code())
    with db.read_session() as session:
        assert session.exec(select(Account.id).where(Account.exclusive_email == NEW)).all() == [account_id]
        assert session.exec(select(Account.id).where(Account.exclusive_email == "ada@example.com")).all() == []
        assert session.get(EmailChange, account_id) is None
