"""Several accounts on one email: which of them a sign-in may enter, and the choice between them.

A sign-in that proved the mailbox (code, magic link, signup verification) may enter every account
on the email; a password sign-in only the accounts whose password matched. That set is the
"peer scope", kept on the session so the account switcher offers exactly the same accounts.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.accounts import tickets
from portal_app.models import Account, AccountChoice, AccountPreference

EMAIL_SCOPE = "email"
CHOICE_LIFETIME = timedelta(minutes=10)


def scope_of_ids(account_ids: list[int]) -> str:
    return json.dumps(sorted(set(account_ids)))


def accounts_in_scope(session: Session, *, email: str, peer_scope: str) -> list[Account]:
    """The accounts on `email` that `peer_scope` allows, oldest first."""
    statement = select(Account).where(Account.email == email).order_by(Account.id)
    accounts = list(session.exec(statement))
    if peer_scope == EMAIL_SCOPE:
        return accounts
    try:
        allowed = {int(account_id) for account_id in json.loads(peer_scope or "[]")}
    except (TypeError, ValueError):
        return []
    return [account for account in accounts if account.id in allowed]


def finish_sign_in(
    session: Session,
    *,
    email: str,
    account_ids: list[int],
    auth_method: str,
    peer_scope: str,
    next_path: str,
) -> str:
    """The ticket that completes a successful sign-in, inside the caller's transaction.

    One account: a session ticket. Several: the remembered account if it is among them, else a
    ticket for the chooser at /accounts.
    """
    if not account_ids:
        raise ValueError("finish_sign_in needs at least one account")
    chosen = account_ids[0] if len(account_ids) == 1 else None
    if chosen is None:
        preference = session.get(AccountPreference, email)
        if preference is not None and preference.account_id in account_ids:
            chosen = preference.account_id
    if chosen is not None:
        return tickets.issue_session_ticket(
            session, account_id=chosen, auth_method=auth_method, next_path=next_path, peer_scope=peer_scope
        )
    now = clock.now()
    choice = AccountChoice(
        email=email,
        peer_scope=peer_scope,
        auth_method=auth_method,
        next_path=next_path,
        created_at=now,
        expires_at=now + CHOICE_LIFETIME,
    )
    session.add(choice)
    session.flush()
    return tickets.issue_choice_ticket(session, account_choice_id=choice.id)
