"""Shortcuts for the admin tests: staff accounts and sign-ins through the real services."""

from __future__ import annotations

import re

from sqlmodel import col, select

from portal_app.accounts.models import Account
from portal_app.admin import audit, staff, staff_login, staff_sessions
from portal_app.admin.models import AuditEntry
from portal_app.email.models import OutboxEmail
from portal_app.kernel import clock, db

STAFF_EMAIL = "owner@studio.example"
STAFF_NAME = "Olive Owner"
STAFF_PASSWORD = "copper-lantern-meadow-7"
IP = "198.51.100.20"
BROWSER = "staff-browser-binding-token-0123456789abcdef"
OTHER_BROWSER = "another-browser-binding-token-0123456789abcdef"


def create_staff(email: str = STAFF_EMAIL, name: str = STAFF_NAME, password: str = STAFF_PASSWORD) -> int:
    return staff.create_staff_account(email=email, name=name, password=password, actor=audit.CLI).id


def latest_staff_code(to: str = STAFF_EMAIL) -> str:
    with db.read_session() as session:
        email = session.exec(
            select(OutboxEmail).where(OutboxEmail.to_email == to).order_by(col(OutboxEmail.id).desc())
        ).first()
    assert email is not None and email.template == staff_login.STAFF_CODE_TEMPLATE, "no staff code was emailed"
    return re.match(r"(\d{6}) ", email.subject).group(1)


def staff_ticket(email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, browser: str = BROWSER) -> str:
    """Both steps of the staff sign-in; returns the ticket the admin route trades for the cookie."""
    staff_login.start_login(email=email, password=password, ip=IP, browser_token=browser)
    return staff_login.finish_login(email=email, code=latest_staff_code(email), browser_token=browser)


def staff_session_token(email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD) -> str:
    """A whole staff sign-in; returns what the staff cookie would carry."""
    token = staff_login.redeem_ticket(staff_ticket(email, password), browser_token=BROWSER, user_agent="pytest", ip=IP)
    assert token is not None
    assert staff_sessions.current_staff(token) is not None
    return token


def make_account(email: str, full_name: str = "Ada Lovelace", **fields) -> int:
    now = clock.now()
    with db.write_session() as session:
        account = Account(email=email, full_name=full_name, created_at=fields.pop("created_at", now), **fields)
        session.add(account)
        session.flush()
        return account.id


def audit_entries() -> list[AuditEntry]:
    with db.read_session() as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))
