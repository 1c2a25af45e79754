"""Server-side sessions, one mechanism for clients and staff: the browser holds a random token in an
HttpOnly cookie, the database only its hash; a session ends after its idle limit or at its absolute
end, whichever comes first, and at once when its owner is disabled.

A feature describes its kind of session (which table, whose sessions, which limits) with a
SessionKind; accounts/sessions.py (clients) and admin/staff_sessions.py (staff) are the two.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, delete, select, update

from portal_app.kernel import clock, db, tokens

MAX_USER_AGENT_LENGTH = 512
MAX_IP_LENGTH = 64
# last_seen_at only needs minute precision for the idle timeout; this keeps page loads read-only.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def clean_ip(raw: object) -> str:
    """The client address as given by the web layer, bounded, for throttle keys and session records."""
    return raw.strip()[:MAX_IP_LENGTH] if isinstance(raw, str) else ""


@dataclass(frozen=True)
class SessionKind:
    """One kind of session: its table, the column naming its owner, the owner's table (whose
    `disabled_at` ends every session at once), and its idle and absolute limits (read when used)."""

    table: type
    owner_column: str
    owner_table: type
    idle_limit: Callable[[], timedelta]
    absolute_limit: Callable[[], timedelta]

    @property
    def owner(self):
        return getattr(self.table, self.owner_column)


def start(
    session: Session,
    kind: SessionKind,
    *,
    owner_id: int,
    user_agent: object,
    ip: object,
    ends_at: datetime | None = None,
    **fields: object,
) -> str:
    """Start a session inside the caller's transaction; returns the cookie token (256 random bits).

    It ends at `ends_at` when given (never later than the kind's absolute limit from now).
    """
    now = clock.now()
    absolute_end = now + kind.absolute_limit()
    token = tokens.new_token()
    session.add(
        kind.table(
            **{kind.owner_column: owner_id},
            token_hash=tokens.hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=min(ends_at or absolute_end, absolute_end),
            user_agent=user_agent[:MAX_USER_AGENT_LENGTH] if isinstance(user_agent, str) else "",
            ip=clean_ip(ip),
            **fields,
        )
    )
    return token


def lookup(
    session: Session, kind: SessionKind, token: object, *, also: Sequence[tuple[type, Any]] = ()
) -> tuple[Any, ...] | None:
    """(session row, owner row) for a cookie token, read in the caller's transaction; None for no such session.
    confirm() decides whether it is still live.

    `also` names more rows to read in the same statement, as (model, ON clause) pairs, outer-joined: they
    follow the owner in the tuple, each None where no row matched. Each ON clause must match at most one
    row (a primary key), or the session would be read once per match and one of them kept."""
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None:
        return None
    row = session.exec(_lookup_statement(kind, tuple(also)), params={"token_hash": token_hash}).first()
    return None if row is None else tuple(row)


@functools.lru_cache(maxsize=64)
def _lookup_statement(kind: SessionKind, also: tuple[tuple[type, Any], ...]):
    """lookup()'s statement, built once per kind and `also` (every signed-in event runs one; docs/extending.md,
    "Statements on a hot path"). An ON clause is known by identity: a caller passes the same `also` each
    time (a module constant), or its statement is built again."""
    statement = select(kind.table, kind.owner_table).join(kind.owner_table, kind.owner_table.id == kind.owner)
    for model, on in also:
        statement = statement.add_columns(model).outerjoin(model, on)
    return statement.where(kind.table.token_hash == bindparam("token_hash"))


def confirm(kind: SessionKind, row, owner) -> bool:
    """Whether the session is live; a dead one is deleted on sight, a live one's last use is noted."""
    now = clock.now()
    if owner.disabled_at is not None or now >= row.expires_at or now - row.last_seen_at >= kind.idle_limit():
        with db.write_session() as session:
            session.exec(delete(kind.table).where(kind.table.id == row.id))
        return False
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        with db.write_session() as session:
            session.exec(update(kind.table).where(kind.table.id == row.id).values(last_seen_at=now))
    return True


def current(kind: SessionKind, token: object):
    """(session row, owner row) of the live session for a cookie token, or None."""
    with db.read_session() as session:
        found = lookup(session, kind, token)
    if found is None or not confirm(kind, *found):
        return None
    return found


def end(kind: SessionKind, token: object) -> None:
    """Log out: the session row goes, so the cookie is refused if it is ever sent again."""
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None:
        return
    with db.write_session() as session:
        session.exec(delete(kind.table).where(kind.table.token_hash == token_hash))


def revoke(
    session: Session,
    kind: SessionKind,
    owner_id: int,
    *,
    except_token: object = None,
    except_session_id: int | None = None,
) -> int:
    """End the owner's sessions (but the one for except_token or except_session_id) inside the caller's transaction."""
    statement = delete(kind.table).where(kind.owner == owner_id)
    keep_hash = tokens.hash_presented_token(except_token)
    if keep_hash is not None:
        statement = statement.where(kind.table.token_hash != keep_hash)
    if except_session_id is not None:
        statement = statement.where(kind.table.id != except_session_id)
    return session.exec(statement).rowcount


def purge(session: Session, kind: SessionKind) -> int:
    """Delete the kind's sessions past their absolute end or idle limit, in the caller's transaction."""
    now = clock.now()
    statement = delete(kind.table).where(
        (kind.table.expires_at <= now) | (kind.table.last_seen_at <= now - kind.idle_limit())
    )
    return session.exec(statement).rowcount
