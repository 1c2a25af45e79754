"""Demo data for a newcomer's first run: a business with its apps, and two client accounts on one email.

The core knows no app by name: each app says which demo account gets it (`demo_accounts`) and may
add its own demo content (`demo_data`, called with the demo accounts, main first).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import select

from portal_app.accounts.models import Account
from portal_app.accounts.passwords import hash_password
from portal_app.apps import grants, registry
from portal_app.apps.registry import resolve
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.profile.models import Profile
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY

DEMO_BUSINESS_NAME = "Demo Studio"
DEMO_EMAIL = "dana@demo.example"
DEMO_NAME = "Dana Demo"
DEMO_PHONE = "+442079460958"
DEMO_TIME_ZONE = "Europe/London"
# Two accounts share the demo email (the business allows it), so the account chooser and the
# switcher have something to show. The main one has a complete profile and opens its apps at once;
# the second has no phone yet, so it meets the profile gate.
MAIN, SECOND = "main", "second"
DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = ((MAIN, DEMO_NAME), (SECOND, f"{DEMO_NAME} (second account)"))


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


def _complete_profile(session, account: Account, now) -> None:
    session.add(
        Profile(account_id=account.id, phone=DEMO_PHONE, time_zone=DEMO_TIME_ZONE, completed_at=now, updated_at=now)
    )
    activity.record(
        session,
        account_id=account.id,
        app_key=PORTAL_APP_KEY,
        kind="profile_completed",
        summary="Profile completed",
        at=now,
    )


def seed_demo() -> DemoSeed:
    """Create the demo business and accounts unless the database already has a business.

    The demo password is random, made for this database and printed once, so a portal that was
    first started with demo data does not carry a password everyone can read in the source. Both
    accounts have it, so a password login offers both in the account chooser.
    """
    password = f"demo-{secrets.token_urlsafe(9)}"
    password_hash = hash_password(password)
    now = clock.now()
    apps = registry.all_apps()
    with db.write_session() as session:
        if session.get(Business, BUSINESS_ID) is not None:
            return DemoSeed(created=False)
        session.add(
            Business(
                id=BUSINESS_ID,
                name=DEMO_BUSINESS_NAME,
                support_email="help@demo.example",
                allow_duplicate_contacts=True,
                enabled_apps=registry.default_enabled_keys(),
            )
        )
        accounts: dict[str, Account] = {}
        for role, full_name in DEMO_ACCOUNTS:
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
            accounts[role] = account
        _complete_profile(session, accounts[MAIN], now)
        for app in apps:
            for role in app.demo_accounts:
                grants.grant_app(session, account_id=accounts[role].id, app_key=app.key)
        for app in apps:
            if app.demo_data:
                resolve(app.demo_data)(session, [accounts[MAIN], accounts[SECOND]])
    # What each account can open at once: the apps it was given that the business has on.
    titles = tuple(
        (full_name, tuple(app.title for app in apps if role in app.demo_accounts and app.enabled_by_default))
        for role, full_name in DEMO_ACCOUNTS
    )
    return DemoSeed(created=True, password=password, accounts=titles)
