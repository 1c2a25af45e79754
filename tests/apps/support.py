"""Shortcuts the child-app tests share: accounts, business settings, grants, and whose profile is complete."""

from __future__ import annotations

from portal_app.accounts.models import Account
from portal_app.apps import access, grants
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db


def add_account(email: str = "ada@example.com", full_name: str = "Ada Lovelace", *, created_at=None) -> int:
    from portal_app.kernel import clock

    with db.write_session() as session:
        account = Account(email=email, full_name=full_name, created_at=created_at or clock.now())
        session.add(account)
        session.flush()
        return account.id


def set_business(**fields) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        for name, value in fields.items():
            setattr(business, name, value)
        session.add(business)


def grant(account_id: int, *app_keys: str) -> None:
    with db.write_session() as session:
        for key in app_keys:
            grants.grant_app(session, account_id=account_id, app_key=key)


class Profiles:
    """Stands in for the profile package's verdict: which accounts have every required field.

    Access asks access.missing_profile_fields when it resolves a principal; tests say the answer,
    so these tests hold whatever the profile page stores (tests/profile covers how it decides).
    """

    def __init__(self) -> None:
        self.incomplete: set[int] = set()
        self.asked: list[int] = []

    def mark_incomplete(self, account_id: int) -> None:
        self.incomplete.add(account_id)

    def mark_complete(self, account_id: int) -> None:
        self.incomplete.discard(account_id)

    def missing(self, account, profile, required) -> tuple[str, ...]:
        self.asked.append(account.id)
        return ("Phone",) if account.id in self.incomplete else ()


def stub_profiles(monkeypatch) -> Profiles:
    """Install a Profiles stand-in for this test (a test module's `profiles` fixture calls this)."""
    stub = Profiles()
    monkeypatch.setattr(access, "missing_profile_fields", stub.missing)
    return stub
