"""Password login, throttled in the database, with one message for every failure.

Wrong passwords count for the email from the client's network (5 in 15 minutes, then that network waits)
and for the email from every network (100 a day, then password login for the email waits until the oldest
leaves the day), so an attacker's guesses from one place do not lock the person out from another;
attempts from one network are limited too (20 a minute). Staff sign-in counts its own (`family`).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from portal_app.accounts import choices, passwords, security_log, throttle
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.models import Account, RateEvent
from portal_app.accounts.validation import MAX_PASSWORD_LENGTH, normalize_email
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings

INCORRECT = "Email or password is incorrect."
ATTEMPTS_FROM_IP = "login_attempt_ip"
# Rate event kinds of wrong passwords, per family ("client", "staff"): keyed by email and network, and by email.
FAILURE_KINDS = {
    "client": ("login_failure_pair", "login_failure_email_day"),
    "staff": ("staff_login_failure_pair", "staff_login_failure_email_day"),
}
DAY = timedelta(hours=24)
# Built once (every login reads it; docs/extending.md, "Statements on a hot path").
_ACCOUNTS_WITH_PASSWORD = (
    select(Account)
    .where(Account.email == bindparam("email"), col(Account.password_hash).is_not(None))
    .order_by(col(Account.id))
)


def _email_or_none(raw: object) -> str | None:
    try:
        return normalize_email(raw)
    except FieldError:
        return None


def email_failures_wait(session: Session, email: str, ip: str = "", family: str = "client") -> timedelta | None:
    """How long until a password for `email` may be tried again from `ip`'s network, or None."""
    settings = get_settings()
    pair_kind, day_kind = FAILURE_KINDS[family]
    waits = [
        throttle.retry_after(
            session,
            pair_kind,
            throttle.pair_key(email, ip),
            limit=settings.login_failures_per_email,
            window=timedelta(minutes=settings.login_failure_window_minutes),
        ),
    ]
    # The daily ceiling stops guessing spread over many networks; the person's own network (signed in from
    # lately) is not held up by it.
    if not (ip and security_log.signed_in_lately_from(session, email, ip)):
        waits.append(
            throttle.retry_after(session, day_kind, email, limit=settings.login_failures_per_day_per_email, window=DAY)
        )
    return max((wait for wait in waits if wait is not None), default=None)


def count_failure(session: Session, email: str, ip: str = "", family: str = "client") -> list[RateEvent]:
    """Count a wrong password for `email` from `ip` (before checking it, so parallel guesses cannot outrun the
    limit); hand the events to `forget_failure` once the password turned out right."""
    pair_kind, day_kind = FAILURE_KINDS[family]
    return [
        throttle.record(session, pair_kind, throttle.pair_key(email, ip)),
        throttle.record(session, day_kind, email),
    ]


def forget_failure(session: Session, counted: list[RateEvent]) -> None:
    throttle.cancel(session, *(event.id for event in counted))


def too_many_attempts(wait: timedelta) -> str:
    return f"Too many attempts. Try again in {throttle.describe_wait(wait)}."


def _refuse_if_throttled(session: Session, ip: str, email: str | None) -> None:
    settings = get_settings()
    waits = [
        throttle.retry_after(
            session,
            ATTEMPTS_FROM_IP,
            throttle.network(ip),
            limit=settings.login_attempts_per_ip_per_minute,
            window=timedelta(minutes=1),
        )
    ]
    if email is not None:
        waits.append(email_failures_wait(session, email, ip))
    wait = max((wait for wait in waits if wait is not None), default=None)
    if wait is not None:
        raise LoginFailed(too_many_attempts(wait), retry_after=wait)


def _accounts_with_password(email: str | None) -> list[Account]:
    if email is None:
        return []
    with db.read_session() as session:
        return list(session.exec(_ACCOUNTS_WITH_PASSWORD, params={"email": email}))


def _matching_accounts(email: str | None, password: str) -> list[Account]:
    """Every account on this email whose password matches, oldest first; equal work when none has a password."""
    accounts = _accounts_with_password(email)
    if not accounts:
        passwords.burn_equal_work(password)
    # Every account is checked, even after a match, so the answer never depends on which one matched.
    return [account for account in accounts if passwords.verify_password(account.password_hash, password)]


def _log_failure(email: str, ip: str) -> None:
    """A wrong password for an email some account uses goes in the security log (by email: which account
    was meant is unknown); unknown emails leave nothing there."""
    with db.write_session() as session:
        if session.exec(select(Account.id).where(Account.email == email).limit(1)).first() is not None:
            security_log.record(session, "sign_in_failed", email=email, method="password", ip=ip)


def _begin(email: object, password: object, ip: object) -> tuple[str, str | None, str, list[RateEvent]]:
    """Throttle, then count the attempt as a failure until the password matches (so parallel guesses cannot
    outrun the limit): (client ip, email or None, the password to check, the failure's events)."""
    client_ip = clean_ip(ip)
    address = _email_or_none(email)
    # No real password is longer than the signup form allows; anything else simply does not match.
    secret = password if isinstance(password, str) and len(password) <= MAX_PASSWORD_LENGTH else ""
    with db.write_session() as session:
        # Count and record as one step per network and per email, across every worker (throttle.serialize).
        throttle.serialize(session, f"login:{throttle.network(client_ip)}", *([f"login:{address}"] if address else []))
        _refuse_if_throttled(session, client_ip, address)
        throttle.record(session, ATTEMPTS_FROM_IP, throttle.network(client_ip))
        failure = count_failure(session, address, client_ip) if address is not None else []
    return client_ip, address, secret, failure


def _refused(address: str | None, client_ip: str) -> LoginFailed:
    if address is not None:
        _log_failure(address, client_ip)
    return LoginFailed(INCORRECT)


def _begin_and_read(email: object, password: object, ip: object):
    """`_begin`, then the accounts with a password on the email: one trip to a thread for both."""
    client_ip, address, secret, failure = _begin(email, password, ip)
    return client_ip, address, secret, failure, _accounts_with_password(address)


def _finish(
    address: str,
    matches: list[Account],
    upgrades: list[str | None],
    failure: list[RateEvent],
    next_path: object,
    browser_token: object = None,
) -> str:
    with db.write_session() as session:
        forget_failure(session, failure)
        for account, new_hash in zip(matches, upgrades, strict=True):
            passwords.store_upgrade(session, Account, account.id, account.password_hash, new_hash)
        account_ids = [account.id for account in matches]
        return choices.finish_sign_in(
            session,
            email=address,
            account_ids=account_ids,
            auth_method="password",
            peer_scope=choices.scope_of_ids(account_ids),
            next_path=next_path,
            browser_token=browser_token,
        )


def password_login(
    *, email: object, password: object, ip: object, next_path: object = "/", browser_token: object = None
) -> str:
    """Check email and password; returns a ticket that leads to next_path (on this site only).

    One matching account: a session ticket. Several accounts on the email with this password: a
    ticket for the chooser, which offers only those (unless one of them is the remembered choice).
    Raises LoginFailed: "Email or password is incorrect." or, when throttled, when to try again.
    With browser_token (the binding cookie of the browser that asked) the ticket is bound to it as it is
    written, in the same transaction; else tickets.bind_to_browser must bind it before it can be redeemed.
    Blocks the calling thread while argon2 waits for the hashing pool: pages use password_login_async.
    """
    client_ip, address, secret, failure = _begin(email, password, ip)
    matches = _matching_accounts(address, secret)
    if not matches:
        raise _refused(address, client_ip)
    upgrades = [passwords.upgraded_hash(account.password_hash, secret) for account in matches]
    return _finish(address, matches, upgrades, failure, next_path, browser_token)


async def password_login_async(
    *, email: object, password: object, ip: object, next_path: object = "/", browser_token: object = None
) -> str:
    """password_login for the event loop: the database steps run in threads (two trips: before the hash and
    after it), and argon2 queues for the hashing pool without holding one, so a burst of logins leaves threads
    for everyone else's events."""
    client_ip, address, secret, failure, accounts = await asyncio.to_thread(_begin_and_read, email, password, ip)
    if not accounts:
        await passwords.burn_equal_work_async(secret)
    # Every account is checked, even after a match, so the answer never depends on which one matched.
    matches = [account for account in accounts if await passwords.verify_password_async(account.password_hash, secret)]
    if not matches:
        raise await asyncio.to_thread(_refused, address, client_ip)
    upgrades = [
        await passwords.hash_password_async(secret) if passwords.needs_rehash(account.password_hash) else None
        for account in matches
    ]
    return await asyncio.to_thread(_finish, address, matches, upgrades, failure, next_path, browser_token)
