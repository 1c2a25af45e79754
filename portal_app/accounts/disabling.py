"""The business disables and re-enables accounts; a disabled account is signed out and cannot sign in."""

from __future__ import annotations

from sqlmodel import Session

from portal_app.accounts import sessions
from portal_app.accounts.models import Account
from portal_app.apps import hooks
from portal_app.kernel import clock


def set_disabled(session: Session, account_id: int, *, disabled: bool) -> bool:
    """Disable (ending every session) or re-enable an account inside the caller's transaction.

    Returns False when the account does not exist or already was in that state.
    """
    account = session.get(Account, account_id)
    if account is None or (account.disabled_at is not None) == disabled:
        return False
    account.disabled_at = clock.now() if disabled else None
    session.add(account)
    if disabled:
        sessions.revoke_sessions(session, account_id)
    # Each child app may act on it in this transaction (see apps/hooks.py).
    hooks.fire(session, "account_disabled" if disabled else "account_enabled", account_id)
    return True
