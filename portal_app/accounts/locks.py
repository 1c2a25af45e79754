"""What holds an email's sign-in back right now, and lifting it: for the business (`portal unlock EMAIL`,
the contact page), never for a client.

The locks are the ones code_budget (code entry, from one network or everywhere) and login (wrong
passwords, from one network or everywhere) keep as rate events, for clients and for staff. Lifting them
forgets those events and the failures that led to them, and is logged in the email's security log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal_app.accounts import code_budget, login, security_log, throttle
from portal_app.accounts.models import RateEvent
from portal_app.accounts.validation import normalize_email
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError
from portal_app.kernel.settings import get_settings

FAMILY_NAMES = {code_budget.CLIENT: "", code_budget.STAFF: "Staff sign-in: "}


@dataclass(frozen=True)
class CurrentLock:
    # "Code entry from 203.0.113.7", "Password login everywhere", "Staff sign-in: code entry everywhere"...
    what: str
    until: datetime


def _code_locks(session: Session, email: str) -> list[CurrentLock]:
    found = []
    prefix = throttle.pair_prefix(email)
    since = clock.now() - code_budget.WINDOW
    for purpose_family, label in FAMILY_NAMES.items():
        rows = session.exec(
            select(RateEvent.key, func.max(RateEvent.at))
            .where(
                RateEvent.kind == code_budget.lock_kind(purpose_family),
                (RateEvent.key == email) | col(RateEvent.key).startswith(prefix, autoescape=True),
                RateEvent.at > since,
            )
            .group_by(RateEvent.key)
        ).all()
        for key, started in rows:
            where = "everywhere" if key == email else f"from {key[len(prefix) :] or 'an unknown address'}"
            found.append(CurrentLock(f"{label}code entry {where}".capitalize(), started + code_budget.WINDOW))
    return found


def _password_locks(session: Session, email: str) -> list[CurrentLock]:
    settings = get_settings()
    found = []
    prefix = throttle.pair_prefix(email)
    window = timedelta(minutes=settings.login_failure_window_minutes)
    for purpose_family, (pair_kind, day_kind) in login.FAILURE_KINDS.items():
        label = FAMILY_NAMES[purpose_family]
        keys = session.exec(
            select(RateEvent.key)
            .where(
                RateEvent.kind == pair_kind,
                col(RateEvent.key).startswith(prefix, autoescape=True),
                RateEvent.at > clock.now() - window,
            )
            .group_by(RateEvent.key)
            .having(func.count() >= settings.login_failures_per_email)
        ).all()
        for key in keys:
            wait = throttle.retry_after(session, pair_kind, key, limit=settings.login_failures_per_email, window=window)
            if wait is not None:
                found.append(
                    CurrentLock(f"{label}password login from {key[len(prefix) :]}".capitalize(), clock.now() + wait)
                )
        wait = throttle.retry_after(
            session, day_kind, email, limit=settings.login_failures_per_day_per_email, window=login.DAY
        )
        if wait is not None:
            found.append(CurrentLock(f"{label}password login everywhere".capitalize(), clock.now() + wait))
    return found


def current(email: object) -> list[CurrentLock]:
    """Every lock on the email now, soonest to end first; [] for anything that is not an email."""
    try:
        address = normalize_email(email)
    except FieldError:  # not an email address: no locks
        return []
    with db.read_session() as session:
        found = _code_locks(session, address) + _password_locks(session, address)
    return sorted(found, key=lambda lock: lock.until)


def lift(email: object, *, by: str) -> int:
    """Lift every lock on the email and forget the failures behind them; how many rate events went. The
    security log of the email says who lifted them (`by`: "staff a@b.c", "the command line")."""
    address = normalize_email(email)
    kinds = [
        *(code_budget.lock_kind(family) for family in FAMILY_NAMES),
        *(code_budget.network_failure_kind(family) for family in FAMILY_NAMES),
        *(kind for kinds in login.FAILURE_KINDS.values() for kind in kinds),
    ]
    purposes = _failure_kinds_of(address)
    with db.write_session() as session:
        gone = throttle.delete_for(session, [*kinds, *purposes], [address], key_prefix=throttle.pair_prefix(address))
        security_log.record(session, "unlocked", email=address, method="staff", detail=f"Locks lifted by {by}."[:500])
    return gone


def _failure_kinds_of(email: str) -> list[str]:
    """The per-purpose failure kinds the email has events of (code_failure:<family>:<purpose>)."""
    with db.read_session() as session:
        kinds = session.exec(
            select(RateEvent.kind)
            .where(RateEvent.key == email, col(RateEvent.kind).startswith("code_failure:", autoescape=True))
            .distinct()
        ).all()
    return list(kinds)
