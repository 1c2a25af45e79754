""" "This wasn't me": the link an old address gets undoes the change once, signs everyone out, removes the
password and sends a way back in; opening it changes nothing; it expires, dies with an earlier undo, and
never breaks the one-account-per-address rule."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from portal_app.accounts import choices, code_login, login, magic_links, security_log, sessions, tickets
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.models import Account, LoginTicket, UserSession
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.profile import email_change, email_revert, maintenance, service
from portal_app.profile.email_revert import LinkState
from portal_app.profile.models import EmailChange, EmailChangeRevert
from tests.profile.email_steps import (
    IP,
    PASSWORD,
    account,
    emails_to,
    latest_code,
    undo_token_in,
)
from tests.support.live_accounts import make_account, set_business, start_session

OLD = "ada@example.com"
NEW = "mallory@example.net"
FORM = {"full_name": "Ada Lovelace", "phone": "+44 20 7946 0958"}


def change_email(token: str, address: str = NEW) -> str:
    """The whole change, as whoever holds the session and the password would make it; returns the undo token."""
    previous = sessions.current_session(token)
    before = account(previous.account_id).email
    service.save_profile(previous, {**FORM, "email": address}, ip=IP)
    email_change.prove_identity(sessions.current_session(token), PASSWORD, ip=IP)
    email_change.confirm(sessions.current_session(token), latest_code(address), ip=IP)
    return undo_token_in(emails_to(before)[-1])


def undo_refusal(token: object) -> str:
    with pytest.raises(FieldError) as caught:
        email_revert.revert(token, ip=IP)
    assert caught.value.field == "link"
    return caught.value.message


def table(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model)))


@pytest.fixture
def hijacked(ada_with_password, quick_codes) -> tuple[int, str]:
    """Ada's account, moved to NEW from one of her sessions; a second session of hers is signed in elsewhere.
    Returns the account id and the undo token her old address received."""
    account_id, token = ada_with_password
    start_session(account_id, auth_method="code", peer_scope=choices.EMAIL_SCOPE)
    return account_id, change_email(token)


def test_opening_the_link_changes_nothing(hijacked):
    account_id, link_token = hijacked
    for _ in range(3):
        status = email_revert.link_status(link_token)
    assert (status.state, status.old_email, status.new_email) == (LinkState.VALID, OLD, NEW)
    assert account(account_id).email == NEW and len(table(UserSession)) == 2
    assert table(EmailChangeRevert)[0].used_at is None


def test_undoing_moves_the_account_back_signs_everyone_out_and_removes_the_password(hijacked, frozen_clock):
    account_id, link_token = hijacked
    # A ticket the attacker has not traded for a cookie yet must not start a session either.
    with db.write_session() as session:
        tickets.issue_session_ticket(session, account_id=account_id, auth_method="code", next_path="/")

    assert email_revert.revert(link_token, ip=IP, user_agent="Firefox") == email_revert.Reverted(OLD, NEW)

    restored = account(account_id)
    assert (restored.email, restored.exclusive_email, restored.password_hash) == (OLD, OLD, None)
    assert restored.email_verified_at == frozen_clock.current
    assert [row for row in table(UserSession) if row.account_id == account_id] == []
    assert [row for row in table(LoginTicket) if row.used_at is None] == []
    assert table(EmailChange) == []
    # The password whoever changed the email may know no longer signs in.
    with pytest.raises(LoginFailed):
        login.password_login(email=OLD, password=PASSWORD, ip="198.51.100.4")

    [event] = [e for e in security_log.for_account(account_id) if e.kind == "email_change_reverted"]
    assert event.ip == IP and event.user_agent == "Firefox"
    assert event.detail.startswith(f"back to {OLD} from {NEW}") and "password removed" in event.detail


def test_the_old_address_gets_a_way_back_in_and_the_new_one_is_told(hijacked):
    account_id, link_token = hijacked
    email_revert.revert(link_token, ip=IP)

    way_back = emails_to(OLD)[-1]
    assert way_back.template == "email_change_reverted"
    assert way_back.subject.endswith(f"your Test Business email is back to {OLD}")
    assert "removed its password" in way_back.text_body and "set a new password" in way_back.text_body
    magic = re.search(r"(https?://\S+/magic\?token=([\w-]+))", way_back.text_body)
    assert magic and magic.group(1) in way_back.html_body
    assert magic_links.link_status(magic.group(2)).status is magic_links.LinkState.VALID
    ticket = magic_links.use_magic_link(magic.group(2))
    assert ticket

    [told] = [email for email in emails_to(NEW) if email.template == "email_change_reverted_notice"]
    assert "no longer signs in" in told.text_body and link_token not in told.text_body


def test_the_emailed_code_signs_in_through_the_entry_link(hijacked):
    account_id, link_token = hijacked
    email_revert.revert(link_token, ip=IP)
    way_back = emails_to(OLD)[-1]
    entry = re.search(r"https?://\S+/login\?method=code&email=[^&\s]+&entry=(\w+)", way_back.text_body)
    assert entry, way_back.text_body
    assert code_login.open_entry_link(email=OLD, token=entry.group(1), device="browser-of-ada") is True
    code = re.search(r"^\s+(\d{6})\s*$", way_back.text_body, re.MULTILINE).group(1)
    assert code_login.login_with_code(email=OLD, code=code, device="browser-of-ada", ip=IP)


def test_the_link_works_once(hijacked):
    _account_id, link_token = hijacked
    email_revert.revert(link_token, ip=IP)
    assert email_revert.link_status(link_token).state is LinkState.USED
    assert undo_refusal(link_token) == email_revert.LINK_USED
    assert len([e for e in emails_to(OLD) if e.template == "email_change_reverted"]) == 1


def test_the_link_expires_after_seven_days(hijacked, frozen_clock):
    account_id, link_token = hijacked
    frozen_clock.advance(days=6, hours=23)
    assert email_revert.link_status(link_token).state is LinkState.VALID
    frozen_clock.advance(hours=1)
    assert email_revert.link_status(link_token).state is LinkState.EXPIRED
    assert undo_refusal(link_token) == email_revert.LINK_EXPIRED
    assert account(account_id).email == NEW


@pytest.mark.parametrize(
    "link_token", [None, "", "nope", 12345, ["x"], {"token": "x"}, "x" * 1024 * 1024, "é" * 43, "a\x00b"]
)
def test_tokens_that_are_not_links_change_nothing(hijacked, link_token):
    account_id, _real = hijacked
    assert email_revert.link_status(link_token).state is LinkState.UNKNOWN
    assert undo_refusal(link_token) == email_revert.LINK_UNKNOWN
    assert account(account_id).email == NEW and len(table(UserSession)) == 2


def test_an_old_address_now_held_by_another_account_is_said_and_nothing_breaks(hijacked):
    account_id, link_token = hijacked
    set_business(support_email="help@example.com")
    other_id = make_account(OLD, "Someone Who Signed Up Since")
    status = email_revert.link_status(link_token)
    assert status.state is LinkState.TAKEN
    assert status.message == (
        f"{OLD} now belongs to another account, so this account can't move back to it. "
        "Write to help@example.com so we can help."
    )
    assert undo_refusal(link_token) == status.message
    assert account(account_id).email == NEW and account(other_id).email == OLD
    assert table(EmailChangeRevert)[0].used_at is None and len(table(UserSession)) == 2


def test_with_duplicates_allowed_the_old_address_may_be_shared(hijacked):
    account_id, link_token = hijacked
    set_business(allow_duplicate_contacts=True)
    other_id = make_account(OLD, "Ada at work", exclusive=False)
    email_revert.revert(link_token, ip=IP)
    restored = account(account_id)
    assert (restored.email, restored.exclusive_email) == (OLD, None)
    assert account(other_id).email == OLD


def test_undoing_an_earlier_change_kills_the_links_of_later_ones(ada_with_password, quick_codes):
    account_id, token = ada_with_password
    first = change_email(token, NEW)  # sent to ada@example.com
    second = change_email(token, "mallory2@example.net")  # sent to NEW: whoever made the first change
    email_revert.revert(first, ip=IP)
    assert account(account_id).email == OLD
    assert email_revert.link_status(second).state is LinkState.EXPIRED
    assert undo_refusal(second) == email_revert.LINK_REPLACED
    assert account(account_id).email == OLD


def test_undoing_a_later_change_keeps_the_earlier_link(ada_with_password, quick_codes):
    account_id, token = ada_with_password
    first = change_email(token, NEW)
    second = change_email(token, "mallory2@example.net")
    email_revert.revert(second, ip=IP)
    assert account(account_id).email == NEW
    email_revert.revert(first, ip=IP)
    assert account(account_id).email == OLD


def test_password_sign_ins_of_other_accounts_no_longer_reach_this_one(ada_with_password, quick_codes):
    account_id, token = ada_with_password
    set_business(allow_duplicate_contacts=True)
    work_id = make_account(OLD, "Ada at work", exclusive=False)
    # A browser signed in to the other account with a password both accounts shared.
    work_token = start_session(work_id, peer_scope=choices.scope_of_ids([work_id, account_id]))
    link_token = change_email(token)
    email_revert.revert(link_token, ip=IP)
    work_session = sessions.current_session(work_token)
    assert work_session is not None and choices.ids_of_scope(work_session.peer_scope) == {work_id}


def test_expired_links_and_changes_are_purged(hijacked, frozen_clock, ada_with_password):
    account_id, _link_token = hijacked
    _id, token = ada_with_password
    service.save_profile(sessions.current_session(token), {**FORM, "email": "later@example.com"}, ip=IP)
    assert maintenance.purge_expired() == {"email_changes": 0, "revert_links": 0}
    frozen_clock.advance(hours=2)
    assert maintenance.purge_expired() == {"email_changes": 1, "revert_links": 0}
    frozen_clock.advance(days=7 + 30)
    assert maintenance.purge_expired() == {"email_changes": 0, "revert_links": 1}
    with db.read_session() as session:
        assert session.exec(select(col(EmailChangeRevert.id))).all() == []
        assert session.get(Account, account_id) is not None
