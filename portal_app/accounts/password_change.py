"""Setting or changing the password of the signed-in account (the security page, forgotten passwords).

The current password is asked unless the account has none, or this browser signed in by code or
magic link in the last few minutes (which is how a forgotten password is replaced). Wrong current
passwords count as failed logins, so this page cannot be used to guess the password.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, select, update

from portal_app.accounts import choices, login, passwords, sessions
from portal_app.accounts.models import Account, AccountChoice, LoginTicket, UserSession
from portal_app.accounts.validation import MAX_PASSWORD_LENGTH, check_new_password
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError

RECENT_CODE_LOGIN = timedelta(minutes=10)
EMAILED_SIGN_INS = frozenset({"code", "magic_link"})
WRONG_CURRENT = "Your current password is not right."
ENTER_CURRENT = "Enter your current password."


@dataclass(frozen=True)
class PasswordStatus:
    has_password: bool
    current_password_required: bool


def _required(account: Account, info: sessions.SessionInfo) -> bool:
    if account.password_hash is None:
        return False
    recent_emailed_sign_in = info.auth_method in EMAILED_SIGN_INS and clock.now() - info.created_at < RECENT_CODE_LOGIN
    return not recent_emailed_sign_in


def password_status(signed_in: sessions.SessionInfo | None) -> PasswordStatus | None:
    """What the security page asks for; None when the session is unknown or over."""
    try:
        info, account = sessions.signed_in_account(signed_in)
    except PermissionError:
        return None
    return PasswordStatus(
        has_password=account.password_hash is not None, current_password_required=_required(account, info)
    )


def _count_current_attempt(account: Account, current_password: object) -> tuple[str, list]:
    """Refuse a missing or throttled current password; count this one as a failed login until it matches."""
    if not isinstance(current_password, str) or not current_password:
        raise FieldError("current_password", ENTER_CURRENT)
    with db.write_session() as session:
        wait = login.email_failures_wait(session, account.email)
        if wait is not None:
            raise FieldError("current_password", login.too_many_attempts(wait))
        # Counted as a failure until it matches, as for logins, so parallel guesses cannot outrun the limit.
        failure = login.count_failure(session, account.email)
    return (current_password if len(current_password) <= MAX_PASSWORD_LENGTH else ""), failure


def _forget_attempt(failure: list) -> None:
    with db.write_session() as session:
        login.forget_failure(session, failure)


def _check_current_password(account: Account, current_password: object) -> None:
    """Refuse a wrong current password, counted and throttled like a failed login on the account's email."""
    secret, failure = _count_current_attempt(account, current_password)
    if not passwords.verify_password(account.password_hash, secret):
        raise FieldError("current_password", WRONG_CURRENT)
    _forget_attempt(failure)


def _withdraw_old_password(session: Session, account: Account) -> None:
    """What the old password proved stops counting: other browsers' password scopes lose this account.

    Sessions of the other accounts on the email can then no longer switch into it, and a chooser
    opened with the old password no longer offers it. Scopes proven by the mailbox are untouched.
    """
    now = clock.now()
    peer_sessions = session.exec(
        select(UserSession)
        .join(Account, col(Account.id) == UserSession.account_id)
        .where(Account.email == account.email, UserSession.account_id != account.id)
    ).all()
    open_choices = session.exec(
        select(AccountChoice).where(
            AccountChoice.email == account.email,
            col(AccountChoice.used_at).is_(None),
            AccountChoice.expires_at > now,
        )
    ).all()
    for row in [*peer_sessions, *open_choices]:
        ids = choices.ids_of_scope(row.peer_scope)
        if ids is not None and account.id in ids:
            row.peer_scope = choices.scope_of_ids(ids - {account.id})
            session.add(row)


def _notify(session: Session, account: Account, *, had_password: bool, ip: str) -> None:
    """The notice email: when and from where, and what to do if it was not the owner. No secrets."""
    now = clock.now()
    business = session.get(Business, BUSINESS_ID)
    outbox.enqueue(
        session,
        to=account.email,
        template="password_changed",
        context={
            "full_name": account.full_name,
            "had_password": had_password,
            "changed_at": f"{now.day} {now:%B %Y at %H:%M} UTC",
            "ip": ip,
            "support_email": business.support_email if business else "",
        },
    )


def set_password(
    signed_in: sessions.SessionInfo | None, *, new_password: object, current_password: object = None
) -> None:
    """Set the signed-in account's password, sign out its other sessions and email a notice.

    Raises PermissionError when the session is unknown or over (the page sends the browser to
    login), FieldError("new_password") for a password the rules refuse, FieldError("current_password")
    when the current password is needed and missing, wrong or throttled.
    """
    info, account = sessions.signed_in_account(signed_in)
    try:
        check_new_password(new_password, account.email)
    except FieldError as refused:
        raise FieldError("new_password", refused.message) from None
    required = _required(account, info)
    if required:
        _check_current_password(account, current_password)
    _store(info, account, passwords.hash_password(new_password))


async def set_password_async(
    signed_in: sessions.SessionInfo | None, *, new_password: object, current_password: object = None
) -> None:
    """set_password for the event loop: the database steps run in threads, and argon2 queues for the hashing
    pool without holding one (the page's state calls this)."""
    info, account = await asyncio.to_thread(sessions.signed_in_account, signed_in)
    try:
        check_new_password(new_password, account.email)
    except FieldError as refused:
        raise FieldError("new_password", refused.message) from None
    if _required(account, info):
        secret, failure = await asyncio.to_thread(_count_current_attempt, account, current_password)
        if not await passwords.verify_password_async(account.password_hash, secret):
            raise FieldError("current_password", WRONG_CURRENT)
        await asyncio.to_thread(_forget_attempt, failure)
    new_hash = await passwords.hash_password_async(new_password)
    await asyncio.to_thread(_store, info, account, new_hash)


def _store(info: sessions.SessionInfo, account: Account, new_hash: str) -> None:
    """Save the new hash (unless the password changed meanwhile), sign out the other sessions, notify."""
    had_password = account.password_hash is not None
    unchanged = Account.password_hash == account.password_hash if had_password else col(Account.password_hash).is_(None)
    with db.write_session() as session:
        current = session.get(UserSession, info.id)
        if current is None:
            raise PermissionError(sessions.NOT_SIGNED_IN)
        changed = session.exec(
            update(Account).where(Account.id == account.id, unchanged).values(password_hash=new_hash)
        )
        if changed.rowcount != 1:
            # It changed between the check and now (another browser); the person starts again.
            raise FieldError("new_password", "Your password was just changed elsewhere. Please reload and try again.")
        sessions.revoke_sessions(session, account.id, except_session_id=info.id)
        # Tickets not yet traded for a cookie would start sessions this change is meant to end.
        session.exec(
            delete(LoginTicket).where(LoginTicket.account_id == account.id, col(LoginTicket.used_at).is_(None))
        )
        _withdraw_old_password(session, account)
        _notify(session, account, had_password=had_password, ip=current.ip)
