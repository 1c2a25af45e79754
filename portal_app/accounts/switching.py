"""The account menu: move between the accounts on one email without a new login.

A session may switch only within its peer scope (see choices): every account on the email after a
code, magic link or signup, only the password's matches after a password login, and never an
account with another email. Each switch ends the current session and starts a new one.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import delete

from portal_app.accounts import choices, sessions, tickets
from portal_app.accounts.models import Account, UserSession
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError

# A switched session is not a fresh sign-in: its own created_at must not count as "signed in by
# code a moment ago" (password_change), so the method is kept with this prefix.
SWITCHED_PREFIX = "switch:"


def _peers(session, info: sessions.SessionInfo) -> list[Account]:
    """The other accounts this session may switch to, oldest first."""
    current = session.get(Account, info.account_id)
    if current is None:
        return []
    in_scope = choices.accounts_in_scope(session, email=current.email, peer_scope=info.peer_scope)
    return [account for account in in_scope if account.id != current.id]


def switchable_accounts(
    signed_in: sessions.SessionInfo | None, enabled_apps: Collection[str] | None = None
) -> list[choices.AccountSummary]:
    """The other accounts on the signed-in account's email this session (the Principal's) may switch to
    (`enabled_apps`: the business's, when the caller has read them; see choices.summarize)."""
    if not isinstance(signed_in, sessions.SessionInfo):
        return []
    info = signed_in
    with db.read_session() as session:
        return [choices.summarize(session, account, enabled_apps) for account in _peers(session, info)]


def switch_account(
    signed_in: sessions.SessionInfo | None, target_account_id: object, *, user_agent: object = None, ip: object = None
) -> str:
    """End this session and return a session ticket for the target account (landing on "/").

    The new session keeps the peer scope, so switching back needs no login either. The browser's
    user agent and IP are recorded when the HTTP route redeems the ticket, not here.
    Raises PermissionError when the session is unknown or over, FieldError("account") when the
    target is not one of the accounts switchable_accounts lists.
    """
    if not isinstance(signed_in, sessions.SessionInfo):
        raise PermissionError(sessions.NOT_SIGNED_IN)
    info = signed_in
    # bool is an int too, but never an account id.
    if type(target_account_id) is not int:
        raise FieldError("account", choices.CHOOSE_LISTED)
    with db.write_session() as session:
        if target_account_id not in {account.id for account in _peers(session, info)}:
            raise FieldError("account", choices.CHOOSE_LISTED)
        ended = session.exec(delete(UserSession).where(UserSession.id == info.id))
        if ended.rowcount != 1:  # logged out or switched away in the meantime
            raise PermissionError("not signed in")
        choices.mark_signed_in(session, target_account_id)
        method = info.auth_method
        if not method.startswith(SWITCHED_PREFIX):
            method = SWITCHED_PREFIX + method
        return tickets.issue_session_ticket(
            session,
            account_id=target_account_id,
            auth_method=method,
            next_path="/",
            peer_scope=info.peer_scope,
            session_ends_at=info.expires_at,
        )
