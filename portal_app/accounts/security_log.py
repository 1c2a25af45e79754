"""The account's security log: what happened to its sign-in and by whom, for the person (/security) and
staff (the contact page). Every writer calls `record` inside the transaction of what it logs, so a line
exists exactly when the change happened; reads are newest first and bounded.

Failed attempts against an email (a wrong password, a wrong code, a lock) are logged by email without an
account, because nothing proves which account on the address was meant; `for_account` shows them to every
account on that email, since each of them was the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_
from sqlmodel import Session, col, select

from portal_app.accounts import throttle
from portal_app.accounts.models import Account, SecurityEvent
from portal_app.kernel import clock, db

# kind -> how the log reads it.
KINDS = {
    "signed_in": "Signed in",
    "sign_in_failed": "Failed sign-in attempt",
    "code_failed": "Wrong code entered",
    "locked": "Sign-in locked",
    "unlocked": "Sign-in lock lifted",
    "password_changed": "Password changed",
    "password_set": "Password set",
    "email_change_started": "Email change requested",
    "email_changed": "Email address changed",
    "email_change_reverted": "Email change undone",
    "signed_out": "Signed out",
    "signed_out_elsewhere": "Signed out everywhere else",
    "session_ended": "A session was signed out",
    "account_created": "Account created",
}
# method -> how the log reads it.
METHODS = {
    "password": "password",
    "code": "emailed code",
    "magic_link": "emailed link",
    "signup": "signup",
    "switch": "account switch",
    "staff": "staff",
    "": "",
}
MAX_DETAIL = 500
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def record(
    session: Session,
    kind: str,
    *,
    account_id: int | None = None,
    email: str = "",
    method: str = "",
    ip: str = "",
    user_agent: str = "",
    detail: str = "",
) -> None:
    """Log one event in the caller's transaction. ValueError for a kind or method not listed above (a
    programming mistake, never user input)."""
    if kind not in KINDS or method not in METHODS:
        raise ValueError(f"not a security event: {kind!r} / {method!r}")
    if account_id is not None and not email:
        account = session.get(Account, account_id)
        email = account.email if account is not None else ""
    session.add(
        SecurityEvent(
            account_id=account_id,
            email=email[:320],
            kind=kind,
            method=method,
            ip=(ip or "")[:64],
            user_agent=(user_agent or "")[:512],
            detail=(detail or "")[:MAX_DETAIL],
            created_at=clock.now(),
        )
    )


KNOWN_NETWORK_DAYS = 30


# Where the email's accounts signed in from lately, newest first (built once: every password login asks).
_RECENT_SIGN_IN_ADDRESSES = (
    select(SecurityEvent.ip)
    .where(
        SecurityEvent.email == bindparam("email"),
        SecurityEvent.kind == "signed_in",
        SecurityEvent.created_at > bindparam("since"),
    )
    .order_by(col(SecurityEvent.id).desc())
    .limit(50)
)


def signed_in_lately_from(session: Session, email: str, ip: str) -> bool:
    """Whether an account on `email` signed in from `ip`'s network (IPv4 address, IPv6 /64) in the last
    30 days: the person's own network, which limits meant for strangers leave alone."""
    since = clock.now() - timedelta(days=KNOWN_NETWORK_DAYS)
    rows = session.exec(_RECENT_SIGN_IN_ADDRESSES, params={"email": email, "since": since}).all()
    here = throttle.network(ip)
    return any(row and throttle.network(row) == here for row in rows)


@dataclass(frozen=True)
class LoggedEvent:
    kind: str
    what: str
    method: str
    ip: str
    user_agent: str
    detail: str
    at: datetime


def for_account(account_id: object, limit: int = DEFAULT_LIMIT) -> list[LoggedEvent]:
    """The account's events and the failed attempts against its email, newest first, at most `limit`.
    LookupError for an id that is not one of an account."""
    if not db.is_row_id(account_id):
        raise LookupError("not an account id")
    limit = max(1, min(int(limit), MAX_LIMIT))
    with db.read_session() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise LookupError("no such account")
        rows = session.exec(
            select(SecurityEvent)
            .where(
                or_(
                    SecurityEvent.account_id == account_id,
                    and_(col(SecurityEvent.account_id).is_(None), SecurityEvent.email == account.email),
                )
            )
            .order_by(col(SecurityEvent.created_at).desc(), col(SecurityEvent.id).desc())
            .limit(limit)
        ).all()
    return [_logged(row) for row in rows]


def for_email(email: str, limit: int = DEFAULT_LIMIT) -> list[LoggedEvent]:
    """Every event about an email address (staff's view of a contact), newest first."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    with db.read_session() as session:
        rows = session.exec(
            select(SecurityEvent)
            .where(SecurityEvent.email == email)
            .order_by(col(SecurityEvent.created_at).desc(), col(SecurityEvent.id).desc())
            .limit(limit)
        ).all()
    return [_logged(row) for row in rows]


def _logged(row: SecurityEvent) -> LoggedEvent:
    return LoggedEvent(
        kind=row.kind,
        what=KINDS.get(row.kind, row.kind),
        method=METHODS.get(row.method, row.method),
        ip=row.ip,
        user_agent=row.user_agent,
        detail=row.detail,
        at=row.created_at,
    )
