"""The failure budget every code purpose shares: 20 refused codes per email a day, then code entry locks.

Every refused code counts (wrong, or typed for a code that is dead, expired or was never sent), so
an email with no code answers and counts exactly like one with a code. Failures are rate events of
kind "code_failure:<purpose>": the budget adds up every purpose, while login can still count its own.
Using up the budget records one "code_lock" event: code entry for the email stays locked for 24
hours from then (password login is not affected), and the accounts on that email get one email
about it. When the lock ends, the failures that caused it have left the window too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal_app.accounts import throttle
from portal_app.accounts.models import Account
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.kernel import clock
from portal_app.kernel.settings import get_settings

FAILURE_KIND_PREFIX = "code_failure:"
LOCK_KIND = "code_lock"
WINDOW = timedelta(hours=24)


def failure_kind(purpose: str) -> str:
    return f"{FAILURE_KIND_PREFIX}{purpose}"


def locked_until(session: Session, email: str) -> datetime | None:
    """When code entry for `email` opens again, or None while it is open."""
    started = throttle.newest_at(session, LOCK_KIND, email)
    if started is None or started + WINDOW <= clock.now():
        return None
    return started + WINDOW


def failures_since(session: Session, *, purpose: str, email: str, since: datetime) -> int:
    """Refused codes of one purpose for `email` at or after `since`."""
    return throttle.count_since(session, failure_kind(purpose), email, since)


def record_failure(session: Session, *, purpose: str, email: str) -> datetime | None:
    """Count one refused code; when it uses up the budget, lock code entry and return when the lock ends."""
    throttle.record(session, failure_kind(purpose), email)
    failures = throttle.count_family_in_window(session, FAILURE_KIND_PREFIX, email, WINDOW)
    if failures < get_settings().code_failures_per_day:
        return None
    # On PostgreSQL, a parallel failure for the same email waits here, then sees this lock.
    has_account = session.exec(select(Account.id).where(Account.email == email).with_for_update()).first() is not None
    already = locked_until(session, email)
    if already is not None:
        return already
    throttle.record(session, LOCK_KIND, email)
    until = clock.now() + WINDOW
    if has_account:
        business = session.get(Business, BUSINESS_ID)
        outbox.enqueue(
            session,
            to=email,
            template="code_entry_locked",
            context={
                "locked_until": describe_moment(until),
                "failures": failures,
                "support_email": business.support_email if business else "",
            },
        )
    return until


def describe_moment(moment: datetime) -> str:
    """ "16 January 2026 at 12:00 UTC": a date and time nobody can misread, for emails."""
    return f"{moment.day} {moment:%B %Y at %H:%M} UTC"


def lock_message(until: datetime) -> str:
    """What the code field says while code entry for the email is locked."""
    return f"Code entry for this email is locked until {until:%H:%M} UTC. You can still log in with your password."
