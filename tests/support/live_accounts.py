"""Accounts with live sessions, made through the real session service, and business settings to match."""

from __future__ import annotations

from portal_app.accounts import sessions
from portal_app.accounts.models import Account
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db

IP = "203.0.113.9"


def make_account(email: str, full_name: str = "Ada Lovelace", *, exclusive: bool = True) -> int:
    """A verified account on `email` (holding the email exclusively unless told otherwise)."""
    with db.write_session() as session:
        account = Account(
            email=email,
            exclusive_email=email if exclusive else None,
            full_name=full_name,
            email_verified_at=clock.now(),
            created_at=clock.now(),
        )
        session.add(account)
        session.flush()
        return account.id


def start_session(account_id: int, *, auth_method: str = "password", peer_scope: str = "") -> str:
    """A live session for the account; returns the token its session cookie carries."""
    with db.write_session() as session:
        return sessions.create_session(
            session, account_id=account_id, auth_method=auth_method, user_agent="pytest", ip=IP, peer_scope=peer_scope
        )


def set_business(**fields) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        for name, value in fields.items():
            setattr(business, name, value)
        session.add(business)
