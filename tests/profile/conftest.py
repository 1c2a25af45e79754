"""Accounts with live sessions for the profile tests, made through the real session service."""

from __future__ import annotations

import pytest

from portal_app.accounts import sessions
from portal_app.accounts.models import Account
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db

IP = "203.0.113.9"


def make_account(email: str, full_name: str = "Ada Lovelace", *, exclusive: bool = True) -> int:
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


@pytest.fixture
def quick_codes(settings_env):
    """Sending limits out of the way, for tests that send several codes in a row."""
    settings_env(
        PORTAL_CODE_RESEND_SECONDS="0", PORTAL_CODE_SENDS_PER_HOUR="1000", PORTAL_CODE_SENDS_PER_IP_PER_MINUTE="1000"
    )


@pytest.fixture
def ada(database, frozen_clock) -> tuple[int, str]:
    """An account (ada@example.com) and the token of its session cookie."""
    account_id = make_account("ada@example.com")
    return account_id, start_session(account_id)
