"""Clean-up: expired pending signups with their codes, spent tickets, dead sessions, old codes and events."""

from datetime import timedelta

from sqlmodel import select

from portal_app.accounts import choices, codes, maintenance, sessions, signup, throttle
from portal_app.accounts.login import password_login
from portal_app.accounts.models import AccountChoice, EmailCode, LoginTicket, PendingSignup, RateEvent, UserSession
from portal_app.kernel import db
from tests.support.accounts import IP, PASSWORD, accounts_for, begin_signup, sign_up
from tests.support.browser import redeem_bound
from tests.support.shared_email import EMAIL, choice_token, make_accounts

NOTHING = dict.fromkeys(
    ["pending_signups", "email_codes", "login_tickets", "account_choices", "user_sessions", "rate_events"], 0
)


def count(model) -> int:
    with db.read_session() as session:
        return len(session.exec(select(model)).all())


def issue_login_code() -> None:
    with db.write_session() as session:
        codes.issue_code(session, purpose="login", email="bob@example.com", lifetime=timedelta(minutes=10))


def test_only_used_tickets_go_while_everything_else_is_live(database, frozen_clock):
    begin_signup("ada@example.com")
    redeem_bound(sign_up("bob@example.com"), user_agent="", ip="")
    # Used: ada's signup ticket and bob's session ticket (bob's signup ticket went with his pending signup).
    assert maintenance.purge_expired() == {**NOTHING, "login_tickets": 2}
    assert count(PendingSignup) == count(EmailCode) == count(UserSession) == 1
    # Each signup's code counted three ways (the email, the email from the network, the network), and
    # bob's right code one check from his network.
    assert count(RateEvent) == 7 and count(LoginTicket) == 0


def test_expired_things_are_purged(database, frozen_clock):
    abandoned = begin_signup("ada@example.com")
    grant = redeem_bound(sign_up("bob@example.com"), user_agent="", ip="")
    issue_login_code()
    frozen_clock.advance(days=8)
    assert maintenance.purge_expired() == {
        "pending_signups": 1,
        "email_codes": 2,  # ada's signup code and bob's expired login code
        "login_tickets": 2,
        "account_choices": 0,
        "user_sessions": 1,  # idle for 8 days
        "rate_events": 7,
    }
    assert signup.pending_view(abandoned) is None
    assert sessions.account_for_token(grant.value) is None
    assert count(PendingSignup) == count(EmailCode) == count(LoginTicket) == count(UserSession) == 0
    assert count(RateEvent) == 0
    assert len(accounts_for("bob@example.com")) == 1  # accounts are never purged
    assert maintenance.purge_expired() == NOTHING


def test_finished_codes_and_rate_events_are_kept_for_a_day(database, frozen_clock):
    issue_login_code()
    issue_login_code()  # voids the first; the second expires after 10 minutes
    with db.write_session() as session:
        throttle.record(session, "login_failure_email", "bob@example.com")
    frozen_clock.advance(hours=24)
    assert maintenance.purge_expired() == NOTHING
    frozen_clock.advance(seconds=1)
    assert maintenance.purge_expired() == {**NOTHING, "email_codes": 1, "rate_events": 1}
    frozen_clock.advance(minutes=10)
    assert maintenance.purge_expired() == {**NOTHING, "email_codes": 1}


def test_used_and_expired_account_choices_are_purged(database, frozen_clock):
    first, second = make_accounts(frozen_clock, [PASSWORD, PASSWORD])
    used = choice_token(password_login(email=EMAIL, password=PASSWORD, ip=IP))
    choices.choose_account(used, first.id, remember=False)
    live = choice_token(password_login(email=EMAIL, password=PASSWORD, ip=IP))
    abandoned = password_login(email=EMAIL, password=PASSWORD, ip=IP)  # its ticket was never redeemed
    assert maintenance.purge_expired()["account_choices"] == 1
    assert choices.choice_view(live) is not None
    frozen_clock.advance(minutes=10)
    assert maintenance.purge_expired()["account_choices"] == 2
    assert count(AccountChoice) == 0 and count(LoginTicket) == 0
    assert redeem_bound(abandoned, user_agent="", ip="") is None
