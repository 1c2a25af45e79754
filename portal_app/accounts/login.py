"""Password login, throttled per IP and per email in the database, with one message for every failure."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from portal_app.accounts import choices, passwords, throttle
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.models import Account
from portal_app.accounts.validation import MAX_PASSWORD_LENGTH, normalize_email
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings

INCORRECT = "Email or password is incorrect."
ATTEMPTS_FROM_IP = "login_attempt_ip"
FAILURES_FOR_EMAIL = "login_failure_email"


def _email_or_none(raw: object) -> str | None:
    try:
        return normalize_email(raw)
    except FieldError:
        return None


def email_failures_wait(session: Session, email: str) -> timedelta | None:
    """How long until the email may try a password again after too many failures, or None."""
    settings = get_settings()
    return throttle.retry_after(
        session,
        FAILURES_FOR_EMAIL,
        email,
        limit=settings.login_failures_per_email,
        window=timedelta(minutes=settings.login_failure_window_minutes),
    )


def too_many_attempts(wait: timedelta) -> str:
    return f"Too many attempts. Try again in {throttle.describe_wait(wait)}."


def _refuse_if_throttled(session: Session, ip: str, email: str | None) -> None:
    settings = get_settings()
    waits = [
        throttle.retry_after(
            session, ATTEMPTS_FROM_IP, ip, limit=settings.login_attempts_per_ip_per_minute, window=timedelta(minutes=1)
        )
    ]
    if email is not None:
        waits.append(email_failures_wait(session, email))
    wait = max((wait for wait in waits if wait is not None), default=None)
    if wait is not None:
        raise LoginFailed(too_many_attempts(wait), retry_after=wait)


def _matching_accounts(email: str | None, password: str) -> list[Account]:
    """Every account on this email whose password matches, oldest first; equal work when none has a password."""
    accounts: list[Account] = []
    if email is not None:
        with db.read_session() as session:
            accounts = list(
                session.exec(
                    select(Account)
                    .where(Account.email == email, col(Account.password_hash).is_not(None))
                    .order_by(col(Account.id))
                )
            )
    if not accounts:
        passwords.burn_equal_work(password)
    # Every account is checked, even after a match, so the answer never depends on which one matched.
    return [account for account in accounts if passwords.verify_password(account.password_hash, password)]


def password_login(*, email: object, password: object, ip: object, next_path: object = "/") -> str:
    """Check email and password; returns a ticket that leads to next_path (on this site only).

    One matching account: a session ticket. Several accounts on the email with this password: a
    ticket for the chooser, which offers only those (unless one of them is the remembered choice).
    Raises LoginFailed: "Email or password is incorrect." or, when throttled, when to try again.
    """
    client_ip = clean_ip(ip)
    address = _email_or_none(email)
    # No real password is longer than the signup form allows; anything else simply does not match.
    secret = password if isinstance(password, str) and len(password) <= MAX_PASSWORD_LENGTH else ""
    with db.write_session() as session:
        _refuse_if_throttled(session, client_ip, address)
        throttle.record(session, ATTEMPTS_FROM_IP, client_ip)
        # Counted as a failure until the password matches, so parallel guesses cannot outrun the limit.
        failure = throttle.record(session, FAILURES_FOR_EMAIL, address) if address is not None else None
    matches = _matching_accounts(address, secret)
    if not matches:
        raise LoginFailed(INCORRECT)
    upgrades = [(account, passwords.upgraded_hash(account.password_hash, secret)) for account in matches]
    with db.write_session() as session:
        throttle.cancel(session, failure.id)
        for account, new_hash in upgrades:
            passwords.store_upgrade(session, Account, account.id, account.password_hash, new_hash)
        account_ids = [account.id for account in matches]
        return choices.finish_sign_in(
            session,
            email=address,
            account_ids=account_ids,
            auth_method="password",
            peer_scope=choices.scope_of_ids(account_ids),
            next_path=next_path,
        )
