"""The account's signed-in browsers, for /security: which, where (the country of the IP address, never a
finer place), since when, last active; and signing one of them, or every other one, out.

Every function takes the SessionInfo confirmed for the event (never a token or an account id from the
client) and touches only that account's sessions; an id of another account's session is simply not
found. Each sign-out is logged in the account's security log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import iptocc
import user_agents
from babel import Locale
from sqlmodel import col, delete, select

from portal_app.accounts import security_log, sessions
from portal_app.accounts.models import UserSession
from portal_app.kernel import clock, db

UNKNOWN_PLACE = "Unknown place"
METHOD_NAMES = {"password": "Password", "code": "Emailed code", "magic_link": "Emailed link", "signup": "Signup"}


@dataclass(frozen=True)
class SignedInBrowser:
    id: int
    browser: str
    place: str
    ip: str
    method: str
    signed_in_at: datetime
    last_active_at: datetime
    current: bool


@lru_cache(maxsize=1024)
def describe_browser(user_agent: str) -> str:
    """ "Chrome on Windows", "Mobile Safari on iOS"; "Unknown browser" when it says nothing useful."""
    if not user_agent:
        return "Unknown browser"
    parsed = user_agents.parse(user_agent)
    browser = parsed.browser.family if parsed.browser.family != "Other" else "Unknown browser"
    system = parsed.os.family if parsed.os.family != "Other" else ""
    return f"{browser} on {system}" if system else browser


@lru_cache(maxsize=1024)
def describe_place(ip: str) -> str:
    """The country of an IP address ("Ireland") from the registries' data bundled with iptocc; "Unknown
    place" for private, reserved and unassigned addresses."""
    try:
        code = iptocc.country_code(ip) if ip else None
    except ValueError:
        code = None
    if not code:
        return UNKNOWN_PLACE
    return Locale("en").territories.get(code.upper(), code.upper())


def _live(account_id: int):
    now = clock.now()
    idle_limit = sessions.CLIENT_SESSIONS.idle_limit()
    return (
        UserSession.account_id == account_id,
        UserSession.expires_at > now,
        UserSession.last_seen_at > now - idle_limit,
    )


def signed_in_browsers(signed_in: sessions.SessionInfo | None) -> list[SignedInBrowser]:
    """The account's live sessions, this one first, then the most recently active. PermissionError when the
    session is not live."""
    info, _ = sessions.signed_in_account(signed_in)
    with db.read_session() as session:
        rows = session.exec(
            select(UserSession).where(*_live(info.account_id)).order_by(col(UserSession.last_seen_at).desc())
        ).all()
    found = [
        SignedInBrowser(
            id=row.id,
            browser=describe_browser(row.user_agent),
            place=describe_place(row.ip),
            ip=row.ip,
            method=METHOD_NAMES.get(row.auth_method, row.auth_method),
            signed_in_at=row.created_at,
            last_active_at=row.last_seen_at,
            current=row.id == info.id,
        )
        for row in rows
    ]
    return sorted(found, key=lambda browser: not browser.current)


def sign_out_browser(signed_in: sessions.SessionInfo | None, session_id: object, *, ip: str = "") -> bool:
    """End one of the account's other sessions; False when there is no such session of this account (or it
    is this one: logging out is the way to end it). PermissionError when the session is not live."""
    info, account = sessions.signed_in_account(signed_in)
    if not db.is_row_id(session_id) or session_id == info.id:
        return False
    with db.write_session() as session:
        row = session.exec(
            select(UserSession).where(UserSession.id == session_id, UserSession.account_id == info.account_id)
        ).first()
        if row is None:
            return False
        session.exec(delete(UserSession).where(UserSession.id == row.id))
        security_log.record(
            session,
            "session_ended",
            account_id=account.id,
            ip=ip,
            detail=f"{describe_browser(row.user_agent)}, {describe_place(row.ip)}"[:500],
        )
    return True


def sign_out_everywhere_else(signed_in: sessions.SessionInfo | None, *, ip: str = "") -> int:
    """End every other session of the account; how many ended. PermissionError when the session is not live."""
    info, account = sessions.signed_in_account(signed_in)
    with db.write_session() as session:
        ended = sessions.revoke_sessions(session, info.account_id, except_session_id=info.id)
        security_log.record(session, "signed_out_elsewhere", account_id=account.id, ip=ip, detail=f"{ended} signed out")
    return ended


def describe_when(moment: datetime) -> str:
    """How /security shows a moment: "5 December 2026, 14:03 UTC"."""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"
