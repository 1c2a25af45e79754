"""One-time tickets, so cookies are set only by the portal's HTTP route and never pass through Reflex state."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select, update

from portal_app.accounts import sessions
from portal_app.accounts.models import Account, AccountChoice, LoginTicket, PendingSignup
from portal_app.accounts.validation import safe_next_path
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.settings import get_settings

SESSION_COOKIE = "portal_session"
SIGNUP_COOKIE = "portal_signup"
CHOICE_COOKIE = "portal_choice"
SESSION_TICKET = "session"
SIGNUP_TICKET = "pending_signup"
CHOICE_TICKET = "account_choice"
# Built once: every sign-in binds its ticket (docs/extending.md, "Statements on a hot path"). The ticket was
# written in another transaction, so no session holds it as an object for the ORM to update.
_BIND = (
    update(LoginTicket)
    .where(
        LoginTicket.token_hash == bindparam("ticket_hash"),
        col(LoginTicket.device_hash).is_(None),
        col(LoginTicket.used_at).is_(None),
    )
    .values(device_hash=bindparam("browser_hash"))
    .execution_options(synchronize_session=False)
)


class AccountDisabled(Exception):
    """The ticket was for an account the business has disabled: no session is made."""


@dataclass(frozen=True)
class CookieGrant:
    """The cookie the HTTP route sets (HttpOnly), and where it sends the browser next."""

    name: str
    value: str
    max_age: int
    next_path: str
    # The signed-in account, for a session cookie.
    account_id: int | None = None


def _issue(session: Session, browser_token: object = None, **fields) -> str:
    """A new ticket row; with `browser_token` (the binding cookie of the browser that asked) it is bound to that
    browser as it is written, as `bind_to_browser` would bind it after (an unusable token leaves it unbound, and an
    unbound ticket redeems nowhere)."""
    now = clock.now()
    token = tokens.new_token()
    session.add(
        LoginTicket(
            token_hash=tokens.hash_token(token),
            device_hash=tokens.hash_presented_token(browser_token) if browser_token is not None else None,
            created_at=now,
            expires_at=now + timedelta(seconds=get_settings().login_ticket_seconds),
            **fields,
        )
    )
    return token


def issue_session_ticket(
    session: Session,
    *,
    account_id: int,
    auth_method: str,
    next_path: object,
    peer_scope: str = "",
    session_ends_at: datetime | None = None,
    browser_token: object = None,
) -> str:
    """A ticket that becomes a new session for the account, then sends the browser to next_path.

    peer_scope says which other accounts on the same email the session may switch to (see choices);
    browser_token binds it to the browser that asked as it is written (else `bind_to_browser` must).
    """
    return _issue(
        session,
        browser_token,
        kind=SESSION_TICKET,
        account_id=account_id,
        auth_method=auth_method,
        peer_scope=peer_scope,
        session_ends_at=session_ends_at,
        next_path=safe_next_path(next_path),
    )


def issue_choice_ticket(session: Session, *, account_choice_id: int, browser_token: object = None) -> str:
    """A ticket that becomes the cookie tying this browser to its pending account choice (/accounts)."""
    return _issue(
        session, browser_token, kind=CHOICE_TICKET, account_choice_id=account_choice_id, next_path="/accounts"
    )


def issue_signup_ticket(session: Session, *, pending_signup_id: int) -> str:
    """A ticket that becomes the cookie tying this browser to its pending signup."""
    return _issue(session, kind=SIGNUP_TICKET, pending_signup_id=pending_signup_id, next_path="/verify")


def bind_to_browser(token: object, browser_token: object) -> bool:
    """Tie a fresh ticket to the browser whose page asked for it (its binding cookie).

    Only that browser can then redeem it, so a ticket link sent to someone else signs nobody in
    (login CSRF). Returns False when the ticket or the browser token is unusable.
    """
    token_hash = tokens.hash_presented_token(token)
    browser_hash = tokens.hash_presented_token(browser_token)
    if token_hash is None or browser_hash is None:
        return False
    with db.write_session() as session:
        bound = session.exec(_BIND, params={"ticket_hash": token_hash, "browser_hash": browser_hash})
        return bound.rowcount == 1


def claim_bound_ticket(session: Session, table, *, token_hash: str, browser_hash: str, now: datetime):
    """Use up a one-time ticket row (a LoginTicket or a StaffTicket) inside the caller's transaction.

    The row is returned only when it exists, has not expired, is bound to this browser, and this
    call is the one that marked it used (an atomic UPDATE, so two redemptions cannot both win).
    """
    ticket = session.exec(select(table).where(table.token_hash == token_hash)).first()
    if ticket is None or ticket.expires_at <= now:
        return None
    if ticket.device_hash is None or not hmac.compare_digest(ticket.device_hash, browser_hash):
        return None
    claimed = session.exec(update(table).where(table.id == ticket.id, col(table.used_at).is_(None)).values(used_at=now))
    return ticket if claimed.rowcount == 1 else None


def redeem_ticket(token: object, *, user_agent: object, ip: object, browser_token: object) -> CookieGrant | None:
    """Use a ticket once, in the browser it was bound to: the cookie it grants, or None.

    None when the ticket is unknown, used, expired, never bound, or bound to another browser.
    """
    token_hash = tokens.hash_presented_token(token)
    browser_hash = tokens.hash_presented_token(browser_token)
    if token_hash is None or browser_hash is None:
        return None
    with db.write_session() as session:
        now = clock.now()
        ticket = claim_bound_ticket(session, LoginTicket, token_hash=token_hash, browser_hash=browser_hash, now=now)
        if ticket is None:
            return None
        if ticket.kind == SESSION_TICKET and ticket.account_id is not None:
            account = session.get(Account, ticket.account_id)
            if account is None or account.disabled_at is not None:
                raise AccountDisabled()
            session_token = sessions.create_session(
                session,
                account_id=ticket.account_id,
                auth_method=ticket.auth_method,
                user_agent=user_agent,
                ip=ip,
                peer_scope=ticket.peer_scope,
                ends_at=ticket.session_ends_at,
            )
            max_age = timedelta(days=get_settings().session_absolute_days)
            if ticket.session_ends_at is not None:
                max_age = min(max_age, ticket.session_ends_at - now)
            return CookieGrant(
                SESSION_COOKIE, session_token, int(max_age.total_seconds()), ticket.next_path, ticket.account_id
            )
        if ticket.kind == SIGNUP_TICKET and ticket.pending_signup_id is not None:
            pending = session.get(PendingSignup, ticket.pending_signup_id)
            if pending is None or pending.expires_at <= now:
                return None
            flow_token = tokens.new_token()
            pending.flow_token_hash = tokens.hash_token(flow_token)
            session.add(pending)
            max_age = pending.expires_at - now
            return CookieGrant(SIGNUP_COOKIE, flow_token, int(max_age.total_seconds()), ticket.next_path)
        if ticket.kind == CHOICE_TICKET and ticket.account_choice_id is not None:
            choice = session.get(AccountChoice, ticket.account_choice_id)
            if choice is None or choice.used_at is not None or choice.expires_at <= now:
                return None
            choice_token = tokens.new_token()
            choice.token_hash = tokens.hash_token(choice_token)
            session.add(choice)
            max_age = choice.expires_at - now
            return CookieGrant(CHOICE_COOKIE, choice_token, int(max_age.total_seconds()), ticket.next_path)
        return None
