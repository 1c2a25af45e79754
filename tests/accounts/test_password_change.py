"""Setting a password: when the current one is asked, throttling, signing out other sessions, the notice email."""

import pytest
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from portal_app.accounts import choices, password_change, sessions, switching, tickets
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.login import password_login
from portal_app.accounts.models import Account
from portal_app.accounts.password_change import PasswordStatus
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import IP, PASSWORD, accounts_for, sign_up
from tests.support.browser import redeem_bound
from tests.support.shared_email import EMAIL, choice_token, make_accounts, session_token, signed_in

NEW_PASSWORD = "marble-lantern-heron-58"


def login(password: str = PASSWORD) -> str:
    """A session cookie for a password login on EMAIL."""
    return session_token(password_login(email=EMAIL, password=password, ip=IP))


def emailed_session(account_id: int, auth_method: str = "code") -> str:
    """A session as a code or magic-link login makes it."""
    with db.write_session() as session:
        ticket = tickets.issue_session_ticket(
            session, account_id=account_id, auth_method=auth_method, next_path="/", peer_scope=choices.EMAIL_SCOPE
        )
    return session_token(ticket)


def field_error(token: str, **fields) -> FieldError:
    with pytest.raises(FieldError) as caught:
        password_change.set_password(sessions.current_session(token), **{"new_password": NEW_PASSWORD, **fields})
    return caught.value


def notices() -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.template == "password_changed")))


def test_a_forgotten_password_is_replaced_after_a_code_login_without_the_old_one(database, frozen_clock):
    sign_up(EMAIL)
    old_session = login()
    frozen_clock.advance(hours=1)
    # The signup form on an existing email sends a login code: the mailbox is proven.
    token = session_token(sign_up(EMAIL, full_name="Someone", password="another-password-99"))
    assert sessions.current_session(token).auth_method == "code"
    frozen_clock.advance(minutes=9, seconds=59)
    assert password_change.password_status(sessions.current_session(token)) == PasswordStatus(
        has_password=True, current_password_required=False
    )
    password_change.set_password(sessions.current_session(token), new_password=NEW_PASSWORD)
    assert signed_in(token) is not None and signed_in(old_session) is None
    with pytest.raises(LoginFailed, match="Email or password is incorrect."):
        password_login(email=EMAIL, password=PASSWORD, ip=IP)
    assert signed_in(login(NEW_PASSWORD)) == accounts_for(EMAIL)[0].id


@pytest.mark.parametrize("auth_method", ["code", "magic_link"])
def test_ten_minutes_after_an_emailed_login_the_current_password_is_asked(database, frozen_clock, auth_method):
    sign_up(EMAIL)
    token = emailed_session(accounts_for(EMAIL)[0].id, auth_method)
    frozen_clock.advance(minutes=10)
    assert password_change.password_status(sessions.current_session(token)) == PasswordStatus(
        has_password=True, current_password_required=True
    )
    assert field_error(token).field == "current_password"
    assert field_error(token).message == "Enter your current password."
    password_change.set_password(sessions.current_session(token), new_password=NEW_PASSWORD, current_password=PASSWORD)
    assert signed_in(login(NEW_PASSWORD)) is not None


def test_a_password_login_always_needs_the_current_password(database, frozen_clock):
    sign_up(EMAIL)
    token = login()
    assert password_change.password_status(sessions.current_session(token)).current_password_required
    error = field_error(token, current_password="not-my-password-1")
    assert (error.field, error.message) == ("current_password", "Your current password is not right.")
    password_change.set_password(sessions.current_session(token), new_password=NEW_PASSWORD, current_password=PASSWORD)


def test_wrong_current_passwords_are_throttled(database, frozen_clock):
    sign_up(EMAIL)
    token = login()
    for _ in range(5):
        assert field_error(token, current_password="not-my-password-1").message == "Your current password is not right."
    # Five failures: the page waits, even for the right password...
    throttled = "Too many attempts. Try again in 15 minutes."
    assert field_error(token, current_password=PASSWORD).message == throttled
    # ...while the person's own password login, from their network, is not held up by a session's guesses.
    password_login(email=EMAIL, password=PASSWORD, ip=IP)
    frozen_clock.advance(minutes=15)
    password_change.set_password(sessions.current_session(token), new_password=NEW_PASSWORD, current_password=PASSWORD)


def test_a_right_current_password_does_not_count_as_a_failure(database, frozen_clock):
    sign_up(EMAIL)
    token = login()
    for _ in range(4):
        field_error(token, current_password="not-my-password-1")
    password_change.set_password(sessions.current_session(token), new_password=NEW_PASSWORD, current_password=PASSWORD)
    assert signed_in(login(NEW_PASSWORD)) is not None


def test_other_sessions_are_signed_out_and_the_current_one_stays(database, frozen_clock):
    sign_up(EMAIL)
    current, other, another = login(), login(), login()
    with db.write_session() as session:
        unredeemed = tickets.issue_session_ticket(
            session, account_id=accounts_for(EMAIL)[0].id, auth_method="password", next_path="/"
        )
    password_change.set_password(
        sessions.current_session(current), new_password=NEW_PASSWORD, current_password=PASSWORD
    )
    assert [signed_in(token) is not None for token in (current, other, another)] == [True, False, False]
    assert redeem_bound(unredeemed, user_agent="", ip="") is None


def test_the_notice_email_says_when_and_from_where_and_what_to_do(database, frozen_clock):
    sign_up(EMAIL)
    token = login()
    password_change.set_password(sessions.current_session(token), new_password=NEW_PASSWORD, current_password=PASSWORD)
    [notice] = notices()
    assert notice.to_email == EMAIL and notice.subject == "Your Test Business password was changed"
    for part in (notice.text_body, notice.html_body):
        assert "15 January 2026 at 12:00 UTC" in part and IP in part
        assert "Forgot password?" in part
        assert "http://localhost:3000/login" in part
        assert NEW_PASSWORD not in part and PASSWORD not in part


def test_an_account_without_a_password_sets_its_first_one(database, frozen_clock):
    with db.write_session() as session:
        account = Account(email=EMAIL, full_name="Invited", created_at=frozen_clock.current)
        session.add(account)
        session.flush()
        account_id = account.id
    token = emailed_session(account_id)
    frozen_clock.advance(hours=2)
    assert password_change.password_status(sessions.current_session(token)) == PasswordStatus(
        has_password=False, current_password_required=False
    )
    password_change.set_password(sessions.current_session(token), new_password=NEW_PASSWORD, current_password="ignored")
    assert notices()[0].subject == "A password was set for your Test Business account"
    assert signed_in(login(NEW_PASSWORD)) == account_id


@pytest.mark.parametrize(
    "new_password, message",
    [
        ("short", "Use at least 10 characters."),
        ("password123", "This password is too common. Choose something less predictable."),
        ("my-ada-password", "Your password must not contain your email address."),
        (None, "Enter a password."),
        (["x"], "Enter a password."),
        ("p" * 1_000_000, "Use at most 256 characters."),
    ],
)
def test_the_new_password_follows_the_signup_rules(database, frozen_clock, new_password, message):
    sign_up(EMAIL)
    token = login()
    [before] = accounts_for(EMAIL)
    error = field_error(token, new_password=new_password, current_password=PASSWORD)
    assert (error.field, error.message) == ("new_password", message)
    assert accounts_for(EMAIL)[0].password_hash == before.password_hash and notices() == []


@pytest.mark.parametrize("token", [None, "", "unknown-token", 42, "x" * 1_000_000])
def test_without_a_session_nothing_is_shown_or_changed(database, frozen_clock, token):
    sign_up(EMAIL)
    assert password_change.password_status(sessions.current_session(token)) is None
    with pytest.raises(PermissionError):
        password_change.set_password(
            sessions.current_session(token), new_password=NEW_PASSWORD, current_password=PASSWORD
        )


def test_an_expired_session_cannot_change_the_password(database, frozen_clock):
    sign_up(EMAIL)
    token = login()
    frozen_clock.advance(days=8)
    with pytest.raises(PermissionError):
        password_change.set_password(
            sessions.current_session(token), new_password=NEW_PASSWORD, current_password=PASSWORD
        )


def test_a_switch_does_not_count_as_a_fresh_code_login(database, frozen_clock):
    first, second = make_accounts(frozen_clock, ["first-password-11", "second-password-22"])
    token = emailed_session(first.id)
    frozen_clock.advance(hours=1)
    switched = session_token(
        switching.switch_account(sessions.current_session(token), second.id, user_agent="pytest", ip=IP)
    )
    assert password_change.password_status(sessions.current_session(switched)).current_password_required
    assert field_error(switched).message == "Enter your current password."


def test_the_old_password_stops_opening_the_account_from_other_browsers(database, frozen_clock):
    shared = "shared-password-77"
    first, second = make_accounts(frozen_clock, [shared, shared])
    # One browser signed into the second account with the shared password, and may switch to the first.
    other = session_token(choices.choose_account(_chooser(shared), second.id, remember=False))
    pending_choice = _chooser(shared)
    mine = session_token(choices.choose_account(_chooser(shared), first.id, remember=False))
    password_change.set_password(sessions.current_session(mine), new_password=NEW_PASSWORD, current_password=shared)
    assert [account.id for account in switching.switchable_accounts(sessions.current_session(other))] == []
    with pytest.raises(FieldError):
        switching.switch_account(sessions.current_session(other), first.id, user_agent="pytest", ip=IP)
    assert [account.id for account in choices.choice_view(pending_choice).accounts] == [second.id]
    assert signed_in(other) == second.id  # the other account's own session is not its business


def _chooser(password: str) -> str:
    return choice_token(password_login(email=EMAIL, password=password, ip=IP))


def test_the_change_and_its_notice_commit_together(database, frozen_clock):
    sign_up(EMAIL)
    token = login()
    [before] = accounts_for(EMAIL)
    with db.write_session() as session:
        session.connection().exec_driver_sql(
            "CREATE TRIGGER refuse_mail BEFORE INSERT ON outboxemail BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    with pytest.raises(SQLAlchemyError, match="refused"):
        password_change.set_password(
            sessions.current_session(token), new_password=NEW_PASSWORD, current_password=PASSWORD
        )
    assert accounts_for(EMAIL)[0].password_hash == before.password_hash
    assert signed_in(token) is not None and notices() == []
