"""Shortcuts for tests of several accounts on one email: made through real signups, entered through real tickets."""

from __future__ import annotations

from portal_app.accounts import sessions, tickets
from portal_app.accounts.models import Account
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from tests.support.accounts import IP, accounts_for, sign_up
from tests.support.browser import redeem_bound

EMAIL = "ada@example.com"


def allow_duplicates(value: bool) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.allow_duplicate_contacts = value
        session.add(business)


def make_accounts(frozen_clock, passwords: list[str], *, email: str = EMAIL) -> list[Account]:
    """One account per password on `email` (duplicates on), named Account 1, 2, ... two minutes apart."""
    allow_duplicates(True)
    for number, password in enumerate(passwords, start=1):
        sign_up(email, full_name=f"Account {number}", password=password)
        frozen_clock.advance(minutes=2)
    return accounts_for(email)


def redeem(ticket: str) -> tickets.CookieGrant:
    grant = redeem_bound(ticket, user_agent="pytest", ip=IP)
    assert grant is not None
    return grant


def session_token(ticket: str) -> str:
    """The session cookie a session ticket becomes."""
    grant = redeem(ticket)
    assert grant.name == tickets.SESSION_COOKIE
    return grant.value


def choice_token(ticket: str) -> str:
    """The chooser cookie a choice ticket becomes."""
    grant = redeem(ticket)
    assert (grant.name, grant.next_path) == (tickets.CHOICE_COOKIE, "/accounts")
    return grant.value


def signed_in(token: str) -> int | None:
    return sessions.account_for_token(token)
