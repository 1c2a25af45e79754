"""Several accounts on one email: which of them a sign-in may enter, and the choice between them.

A sign-in that proved the mailbox (code, magic link, signup verification) may enter every account
on the email; a password sign-in only the accounts whose password matched. That set is the
"peer scope", kept on the session so the account switcher offers exactly the same accounts.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, select, update

from portal_app.accounts import tickets
from portal_app.accounts.models import Account, AccountChoice, AccountPreference
from portal_app.accounts.validation import safe_next_path
from portal_app.apps import grants
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.errors import FieldError

EMAIL_SCOPE = "email"
CHOICE_LIFETIME = timedelta(minutes=10)
CHOOSE_LISTED = "Choose one of the accounts listed."
CHOICE_EXPIRED = "This sign-in has expired. Please log in again."
# Built once: every sign-in runs them (docs/extending.md, "Statements on a hot path"). Marking an account
# leaves an Account object the caller already loaded as it was (no caller reads last_login_at after it), so
# the ORM need not look for one to update.
_MARK_SIGNED_IN = (
    update(Account)
    .where(Account.id == bindparam("account_id"))
    .values(last_login_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)
_ENABLED_AMONG = select(Account.id).where(
    col(Account.id).in_(bindparam("ids", expanding=True)), col(Account.disabled_at).is_(None)
)


@dataclass(frozen=True)
class AccountSummary:
    """What the chooser and the account menu show of one account: enough to tell them apart."""

    id: int
    full_name: str
    created_at: datetime
    app_titles: tuple[str, ...]
    last_used_at: datetime | None


@dataclass(frozen=True)
class ChoiceView:
    """The /accounts page: the email that was proven and the accounts it may enter."""

    email: str
    accounts: tuple[AccountSummary, ...]
    expires_at: datetime


def scope_of_ids(account_ids: list[int]) -> str:
    return json.dumps(sorted(set(account_ids)))


def ids_of_scope(peer_scope: str) -> set[int] | None:
    """The account ids a password scope lists; None for the email scope; empty for anything unreadable."""
    if peer_scope == EMAIL_SCOPE:
        return None
    try:
        return {int(account_id) for account_id in json.loads(peer_scope or "[]")}
    except (TypeError, ValueError):
        return set()


def accounts_in_scope(session: Session, *, email: str, peer_scope: str) -> list[Account]:
    """The accounts on `email` that `peer_scope` allows, oldest first (never a disabled one)."""
    statement = select(Account).where(Account.email == email, col(Account.disabled_at).is_(None)).order_by(Account.id)
    accounts = list(session.exec(statement))
    allowed = ids_of_scope(peer_scope)
    if allowed is None:
        return accounts
    return [account for account in accounts if account.id in allowed]


def summarize(session: Session, account: Account, enabled_apps: Collection[str] | None = None) -> AccountSummary:
    """One account as the chooser and the account menu show it: its apps are those granted to it that the
    business has switched on (an app switched off is in no switcher, so naming it would mislead);
    `enabled_apps` when the caller has the business's settings, else they are read."""
    if enabled_apps is None:
        business = session.get(Business, BUSINESS_ID)
        enabled_apps = business.enabled_apps or () if business is not None else ()
    return AccountSummary(
        id=account.id,
        full_name=account.full_name,
        created_at=account.created_at,
        app_titles=tuple(grants.app_titles(session, account.id, among=enabled_apps)),
        last_used_at=account.last_login_at,
    )


def mark_signed_in(session: Session, account_id: int) -> None:
    """Record that the account was just entered ("last used" on the chooser), in the caller's transaction."""
    session.exec(_MARK_SIGNED_IN, params={"account_id": account_id, "now": clock.now()})


def finish_sign_in(
    session: Session,
    *,
    email: str,
    account_ids: list[int],
    auth_method: str,
    peer_scope: str,
    next_path: str,
    browser_token: object = None,
) -> str:
    """The ticket that completes a successful sign-in, inside the caller's transaction.

    One account: a session ticket. Several: the remembered account if it is among them, else a
    ticket for the chooser at /accounts. An account entered here is marked as just used. With
    `browser_token` the ticket is bound to that browser as it is written (tickets.bind_to_browser).
    """
    if not account_ids:
        raise ValueError("finish_sign_in needs at least one account")
    # Disabled accounts are neither offered nor entered; if every one is disabled, the ticket below
    # is refused when redeemed and the person is told the account is disabled.
    enabled = set(session.exec(_ENABLED_AMONG, params={"ids": account_ids}))
    account_ids = [account_id for account_id in account_ids if account_id in enabled] or account_ids[:1]
    next_path = safe_next_path(next_path)
    chosen = account_ids[0] if len(account_ids) == 1 else None
    if chosen is None:
        preference = session.get(AccountPreference, email)
        if preference is not None and preference.account_id in account_ids:
            chosen = preference.account_id
    if chosen is not None:
        mark_signed_in(session, chosen)
        return tickets.issue_session_ticket(
            session,
            account_id=chosen,
            auth_method=auth_method,
            next_path=next_path,
            peer_scope=peer_scope,
            browser_token=browser_token,
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
    return tickets.issue_choice_ticket(session, account_choice_id=choice.id, browser_token=browser_token)


def _remember(session: Session, *, email: str, account_id: int) -> None:
    """Store the remembered account for the email; an upsert, so two browsers choosing at once cannot collide."""
    db.upsert(
        session, AccountPreference, key={"email": email}, values={"account_id": account_id, "updated_at": clock.now()}
    )


def _live_choice(session: Session, choice_token: object) -> AccountChoice | None:
    token_hash = tokens.hash_presented_token(choice_token)
    if token_hash is None:
        return None
    return session.exec(
        select(AccountChoice).where(
            AccountChoice.token_hash == token_hash,
            col(AccountChoice.used_at).is_(None),
            AccountChoice.expires_at > clock.now(),
        )
    ).first()


def choice_view(choice_token: object) -> ChoiceView | None:
    """The accounts the pending choice behind the cookie may enter; None when it is unknown, used or expired."""
    with db.read_session() as session:
        choice = _live_choice(session, choice_token)
        if choice is None:
            return None
        accounts = accounts_in_scope(session, email=choice.email, peer_scope=choice.peer_scope)
        if not accounts:
            return None
        summaries = tuple(summarize(session, account) for account in accounts)
    return ChoiceView(email=choice.email, accounts=summaries, expires_at=choice.expires_at)


def choose_account(choice_token: object, account_id: object, *, remember: bool) -> str:
    """Enter one of the listed accounts; returns a session ticket. The choice can be used once.

    `remember` ticked makes this account the one later proven sign-ins on the email go to without
    asking; unticked forgets any earlier remembered account.
    Raises FieldError("account"): the id is not one of the listed accounts, or the choice is
    unknown, used or expired (then the person has to log in again).
    """
    with db.write_session() as session:
        choice = _live_choice(session, choice_token)
        if choice is None:
            raise FieldError("account", CHOICE_EXPIRED)
        # bool is an int too, but never an account id.
        if type(account_id) is not int:
            raise FieldError("account", CHOOSE_LISTED)
        in_scope = accounts_in_scope(session, email=choice.email, peer_scope=choice.peer_scope)
        if account_id not in {account.id for account in in_scope}:
            raise FieldError("account", CHOOSE_LISTED)
        now = clock.now()
        claimed = session.exec(
            update(AccountChoice)
            .where(AccountChoice.id == choice.id, col(AccountChoice.used_at).is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:
            raise FieldError("account", CHOICE_EXPIRED)
        mark_signed_in(session, account_id)
        if remember:
            _remember(session, email=choice.email, account_id=account_id)
        else:
            session.exec(delete(AccountPreference).where(AccountPreference.email == choice.email))
        return tickets.issue_session_ticket(
            session,
            account_id=account_id,
            auth_method=choice.auth_method,
            next_path=choice.next_path,
            peer_scope=choice.peer_scope,
        )
