"""One-time tickets: single use, 60 seconds, and the cookie each kind grants."""

from datetime import timedelta

from sqlmodel import select

from portal_app.accounts import sessions, tickets
from portal_app.accounts.models import Account, LoginTicket, PendingSignup, UserSession
from portal_app.kernel import db
from tests.support.browser import redeem_bound


def make_account(now) -> int:
    with db.write_session() as session:
        account = Account(email="ada@example.com", full_name="Ada", created_at=now)
        session.add(account)
        session.flush()
        return account.id


def session_ticket(account_id: int, next_path: object = "/apps/billing") -> str:
    with db.write_session() as session:
        return tickets.issue_session_ticket(session, account_id=account_id, auth_method="password", next_path=next_path)


def test_a_session_ticket_grants_an_httponly_session_cookie_once(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    ticket = session_ticket(account_id)
    grant = redeem_bound(ticket, user_agent="pytest", ip="203.0.113.5")
    assert grant.name == tickets.SESSION_COOKIE == "portal_session"
    assert grant.max_age == 30 * 24 * 3600 and grant.next_path == "/apps/billing"
    assert sessions.account_for_token(grant.value) == account_id
    assert redeem_bound(ticket, user_agent="pytest", ip="203.0.113.5") is None
    with db.read_session() as session:
        assert session.exec(select(UserSession.auth_method)).all() == ["password"]
        assert ticket not in str(session.exec(select(LoginTicket)).one().model_dump())


def test_a_ticket_lasts_sixty_seconds(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    first, second = session_ticket(account_id), session_ticket(account_id)
    frozen_clock.advance(seconds=59)
    assert redeem_bound(first, user_agent="", ip="") is not None
    frozen_clock.advance(seconds=1)
    assert redeem_bound(second, user_agent="", ip="") is None


def test_next_path_is_kept_on_this_site(database, frozen_clock):
    account_id = make_account(frozen_clock.current)
    grant = redeem_bound(session_ticket(account_id, "https://evil.example/"), user_agent="", ip="")
    assert grant.next_path == "/"


def test_a_signup_ticket_grants_a_flow_cookie_for_the_pending_signup(database, frozen_clock):
    with db.write_session() as session:
        pending = PendingSignup(
            email="ada@example.com",
            full_name="Ada",
            password_hash="x",
            created_at=frozen_clock.current,
            expires_at=frozen_clock.current + timedelta(minutes=15),
        )
        session.add(pending)
        session.flush()
        ticket = tickets.issue_signup_ticket(session, pending_signup_id=pending.id)
    grant = redeem_bound(ticket, user_agent="", ip="")
    assert (grant.name, grant.next_path) == (tickets.SIGNUP_COOKIE, "/verify")
    assert grant.max_age >= 15 * 60
    with db.read_session() as session:
        stored = session.exec(select(PendingSignup.flow_token_hash)).one()
    assert stored != grant.value and len(stored) == 64
    assert redeem_bound(ticket, user_agent="", ip="") is None


def test_garbage_tickets_grant_nothing(database, frozen_clock):
    for raw in [None, "", "nope", 7, ["x"], "x" * 1_000_000]:
        assert redeem_bound(raw, user_agent=None, ip=None) is None


def test_only_the_browser_that_asked_can_redeem_a_ticket(database, frozen_clock):
    """A ticket link sent to someone else signs nobody in (login CSRF)."""
    account_id = make_account(frozen_clock.current)
    ticket = session_ticket(account_id)
    assert tickets.redeem_ticket(ticket, user_agent="", ip="", browser_token="page-browser") is None  # never bound
    assert tickets.bind_to_browser(ticket, "page-browser") is True
    assert tickets.bind_to_browser(ticket, "attacker-browser") is False  # cannot be re-bound
    assert tickets.redeem_ticket(ticket, user_agent="", ip="", browser_token="attacker-browser") is None
    assert tickets.redeem_ticket(ticket, user_agent="", ip="", browser_token=None) is None
    grant = tickets.redeem_ticket(ticket, user_agent="", ip="", browser_token="page-browser")
    assert grant is not None and sessions.account_for_token(grant.value) == account_id
