"""Client sessions: the kernel's session store (kernel/sessions.py) for accounts, with how they signed in
and whom they may switch to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from portal_app.accounts import security_log
from portal_app.accounts.models import Account, UserSession
from portal_app.kernel import db
from portal_app.kernel import sessions as store
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings

# Client sessions: idle PORTAL_SESSION_IDLE_DAYS (7), absolute PORTAL_SESSION_ABSOLUTE_DAYS (30).
CLIENT_SESSIONS = store.SessionKind(
    table=UserSession,
    owner_column="account_id",
    owner_table=Account,
    idle_limit=lambda: timedelta(days=get_settings().session_idle_days),
    absolute_limit=lambda: timedelta(days=get_settings().session_absolute_days),
)


def create_session(
    session: Session,
    *,
    account_id: int,
    auth_method: str,
    user_agent: object,
    ip: object,
    peer_scope: str = "",
    ends_at: datetime | None = None,
) -> str:
    """Start a session for the account inside the caller's transaction (and log the sign-in in the account's
    security log); returns the cookie token."""
    security_log.record(
        session,
        "signed_in",
        account_id=account_id,
        method=auth_method if auth_method in security_log.METHODS else "",
        ip=clean_ip(ip),
        user_agent=user_agent if isinstance(user_agent, str) else "",
    )
    return store.start(
        session,
        CLIENT_SESSIONS,
        owner_id=account_id,
        user_agent=user_agent,
        ip=ip,
        ends_at=ends_at,
        auth_method=auth_method,
        peer_scope=peer_scope,
    )


@dataclass(frozen=True)
class SessionInfo:
    """What a live session proves: which account, how it signed in and when, whom it may switch to."""

    id: int
    account_id: int
    auth_method: str
    created_at: datetime
    peer_scope: str
    expires_at: datetime


NOT_SIGNED_IN = "not signed in"


def signed_in_account(signed_in: SessionInfo | None) -> tuple[SessionInfo, Account]:
    """The session confirmed for this event (the Principal's) and its account, read now; PermissionError
    when there is none. Services that act for the signed-in person take the SessionInfo, never a token."""
    if isinstance(signed_in, SessionInfo):
        with db.read_session() as session:
            account = session.get(Account, signed_in.account_id)
        if account is not None:
            return signed_in, account
    raise PermissionError(NOT_SIGNED_IN)


def account_for_token(token: object) -> int | None:
    """The signed-in account for a cookie token, or None."""
    info = current_session(token)
    return info.account_id if info else None


def lookup(
    session: Session, token: object, *, also: Sequence[tuple[type, Any]] = ()
) -> tuple[UserSession, Account, *tuple[Any, ...]] | None:
    """The session row a cookie token names and its account, read in the caller's transaction;
    None for no such session. confirm() decides whether it is still live. `also`: more rows read in the
    same statement, after the account in the tuple (kernel/sessions.lookup)."""
    return store.lookup(session, CLIENT_SESSIONS, token, also=also)


def confirm(row: UserSession, account: Account) -> SessionInfo | None:
    """The live session, or None; a dead session is deleted on sight and a live one's last use is noted."""
    if not store.confirm(CLIENT_SESSIONS, row, account):
        return None
    return SessionInfo(row.id, row.account_id, row.auth_method, row.created_at, row.peer_scope, row.expires_at)


def current_session(token: object) -> SessionInfo | None:
    """The live session for a cookie token, or None; a dead session is deleted on sight."""
    with db.read_session() as session:
        found = lookup(session, token)
    return confirm(*found) if found is not None else None


def end_session(token: object) -> None:
    """Log out: the session is deleted, so the cookie is refused if it is ever sent again."""
    store.end(CLIENT_SESSIONS, token)


def revoke_sessions(
    session: Session, account_id: int, *, except_token: object = None, except_session_id: int | None = None
) -> int:
    """End the account's sessions (but the one for except_token or except_session_id) inside the caller's transaction."""
    return store.revoke(
        session, CLIENT_SESSIONS, account_id, except_token=except_token, except_session_id=except_session_id
    )


def end_all_sessions(account_id: int, except_token: str | None = None) -> int:
    """Sign the account out everywhere (but the current browser, if given); returns how many ended."""
    with db.write_session() as session:
        return revoke_sessions(session, account_id, except_token=except_token)
