"""Server-side sessions: the browser holds a random token, the database only its hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, select, update

from portal_app.accounts.models import Account, UserSession
from portal_app.accounts.validation import clean_ip
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.settings import get_settings

MAX_USER_AGENT_LENGTH = 512
# last_seen_at only needs minute precision for the idle timeout; this keeps page loads read-only.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


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
    """Start a session for the account inside the caller's transaction; returns the cookie token."""
    now = clock.now()
    absolute_end = now + timedelta(days=get_settings().session_absolute_days)
    token = tokens.new_token()
    session.add(
        UserSession(
            account_id=account_id,
            token_hash=tokens.hash_token(token),
            auth_method=auth_method,
            created_at=now,
            last_seen_at=now,
            expires_at=min(ends_at or absolute_end, absolute_end),
            user_agent=user_agent[:MAX_USER_AGENT_LENGTH] if isinstance(user_agent, str) else "",
            ip=clean_ip(ip),
            peer_scope=peer_scope,
        )
    )
    return token


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


def signed_in_account(token: object) -> tuple[SessionInfo, Account]:
    """The live session behind the cookie and its account; PermissionError when there is none."""
    info = current_session(token)
    if info is not None:
        with db.read_session() as session:
            account = session.get(Account, info.account_id)
        if account is not None:
            return info, account
    raise PermissionError(NOT_SIGNED_IN)


def account_for_token(token: object) -> int | None:
    """The signed-in account for a cookie token, or None."""
    info = current_session(token)
    return info.account_id if info else None


def lookup(session: Session, token: object) -> tuple[UserSession, datetime | None] | None:
    """The session row a cookie token names and its account's disabled_at, read in the caller's
    transaction; None for no such session. confirm() decides whether it is still live."""
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None:
        return None
    return session.exec(
        select(UserSession, Account.disabled_at)
        .join(Account, Account.id == UserSession.account_id)
        .where(UserSession.token_hash == token_hash)
    ).first()


def confirm(row: UserSession, disabled_at: datetime | None) -> SessionInfo | None:
    """The live session, or None; a dead session is deleted on sight and a live one's last use is noted."""
    now = clock.now()
    idle_limit = timedelta(days=get_settings().session_idle_days)
    if disabled_at is not None or now >= row.expires_at or now - row.last_seen_at >= idle_limit:
        with db.write_session() as session:
            session.exec(delete(UserSession).where(UserSession.id == row.id))
        return None
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        with db.write_session() as session:
            session.exec(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    return SessionInfo(row.id, row.account_id, row.auth_method, row.created_at, row.peer_scope, row.expires_at)


def current_session(token: object) -> SessionInfo | None:
    """The live session for a cookie token, or None; a dead session is deleted on sight."""
    with db.read_session() as session:
        found = lookup(session, token)
    return confirm(*found) if found is not None else None


def end_session(token: object) -> None:
    """Log out: the session is deleted, so the cookie is refused if it is ever sent again."""
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None:
        return
    with db.write_session() as session:
        session.exec(delete(UserSession).where(UserSession.token_hash == token_hash))


def revoke_sessions(session: Session, account_id: int, *, except_token: object = None) -> int:
    """End the account's sessions (but the one for except_token) inside the caller's transaction."""
    statement = delete(UserSession).where(UserSession.account_id == account_id)
    keep_hash = tokens.hash_presented_token(except_token)
    if keep_hash is not None:
        statement = statement.where(UserSession.token_hash != keep_hash)
    return session.exec(statement).rowcount


def end_all_sessions(account_id: int, except_token: str | None = None) -> int:
    """Sign the account out everywhere (but the current browser, if given); returns how many ended."""
    with db.write_session() as session:
        return revoke_sessions(session, account_id, except_token=except_token)
