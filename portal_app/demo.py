"""Demo data for a newcomer's first run: a business with its apps, and two client accounts on one email."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import select

from portal_app import access, clock, db
from portal_app.accounts.passwords import hash_password
from portal_app.models import BUSINESS_ID, Account, Business
from portal_app.models.business import PRODUCT_APP_KEYS

DEMO_BUSINESS_NAME = "Demo Studio"
DEMO_EMAIL = "dana@demo.example"
DEMO_NAME = "Dana Demo"
# Two accounts share the demo email (the business allows it), each with its own apps, so the
# account chooser and the switcher have something to show.
DEMO_ACCOUNTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (DEMO_NAME, ("courses", "communities")),
    (f"{DEMO_NAME} (affiliate)", ("affiliates",)),
)


@dataclass(frozen=True)
class DemoSeed:
    created: bool
    email: str = DEMO_EMAIL
    password: str = ""
    # (full name, app titles) of each demo account.
    accounts: tuple[tuple[str, tuple[str, ...]], ...] = ()


def database_is_empty() -> bool:
    with db.read_session() as session:
        return session.get(Business, BUSINESS_ID) is None and session.exec(select(Account.id).limit(1)).first() is None


def seed_demo() -> DemoSeed:
    """Create the demo business and accounts unless the database already has a business.

    The demo password is random, made for this database and printed once, so a portal that was
    first started with demo data does not carry a password everyone can read in the source. Both
    accounts have it, so a password login offers both in the account chooser.
    """
    password = f"demo-{secrets.token_urlsafe(9)}"
    password_hash = hash_password(password)
    now = clock.now()
    with db.write_session() as session:
        if session.get(Business, BUSINESS_ID) is not None:
            return DemoSeed(created=False)
        session.add(
            Business(
                id=BUSINESS_ID,
                name=DEMO_BUSINESS_NAME,
                support_email="help@demo.example",
                allow_duplicate_contacts=True,
                enabled_apps=list(PRODUCT_APP_KEYS),
            )
        )
        for full_name, app_keys in DEMO_ACCOUNTS:
            account = Account(
                email=DEMO_EMAIL,
                # Duplicates are allowed, so no account holds the email exclusively.
                exclusive_email=None,
                full_name=full_name,
                password_hash=password_hash,
                email_verified_at=now,
                created_at=now,
            )
            session.add(account)
            session.flush()
            for key in app_keys:
                access.grant_app(session, account_id=account.id, app_key=key)
    accounts = tuple((name, tuple(access.PRODUCT_APPS[key] for key in keys)) for name, keys in DEMO_ACCOUNTS)
    return DemoSeed(created=True, password=password, accounts=accounts)
