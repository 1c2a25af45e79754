"""Demo data for a newcomer's first run: a business and one client account to log in with."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import select

from portal_app import clock, db
from portal_app.accounts.passwords import hash_password
from portal_app.models import BUSINESS_ID, Account, Business

DEMO_BUSINESS_NAME = "Demo Studio"
DEMO_EMAIL = "dana@demo.example"
DEMO_NAME = "Dana Demo"


@dataclass(frozen=True)
class DemoSeed:
    created: bool
    email: str = DEMO_EMAIL
    password: str = ""


def database_is_empty() -> bool:
    with db.read_session() as session:
        return session.get(Business, BUSINESS_ID) is None and session.exec(select(Account.id).limit(1)).first() is None


def seed_demo() -> DemoSeed:
    """Create the demo business and account unless the database already has a business.

    The demo password is random, made for this database and printed once, so a portal that was
    first started with demo data does not carry a password everyone can read in the source.
    """
    password = f"demo-{secrets.token_urlsafe(9)}"
    password_hash = hash_password(password)
    now = clock.now()
    with db.write_session() as session:
        if session.get(Business, BUSINESS_ID) is not None:
            return DemoSeed(created=False)
        session.add(Business(id=BUSINESS_ID, name=DEMO_BUSINESS_NAME, support_email="help@demo.example"))
        session.add(
            Account(
                email=DEMO_EMAIL,
                exclusive_email=DEMO_EMAIL,
                full_name=DEMO_NAME,
                password_hash=password_hash,
                email_verified_at=now,
                created_at=now,
            )
        )
    return DemoSeed(created=True, password=password)
