"""Signup: an account only once a code proves the email; the screen never tells whether it had one already.

A signup first reserves its place in the code-sending limits (per email, per network) in one write
transaction, and only then spends argon2 work on the password: parallel signups cannot all pass the
count before any of them is recorded. What a reservation pays for is kept when it happened and given
back when it did not (see `_give_back`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from portal_app.accounts import choices, codes, passwords, security_log, tickets
from portal_app.accounts.codes import CodeStatus
from portal_app.accounts.errors import ResendTooSoon
from portal_app.accounts.models import Account, PendingSignup, RateEvent
from portal_app.accounts.throttle import describe_wait
from portal_app.accounts.validation import check_new_password, clean_code, clean_full_name, normalize_email
from portal_app.apps import hooks
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY

SIGNUP_PURPOSE = "signup"
SIGNUP_EXPIRED = "Your signup has expired. Please sign up again."
# A pending signup outlives its first code by this much, so the verify page can still say that
# the code expired and send a new one; codes sent later never outlive the pending signup.
SIGNUP_GRACE = timedelta(hours=1)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingView:
    """What the verify page shows about the signup this browser is finishing."""

    email: str
    expires_at: datetime
    code_expires_at: datetime | None
    resend_available_at: datetime | None


def _collect(errors: dict[str, str], check: Callable, *args):
    try:
        return check(*args)
    except FieldError as error:
        errors.setdefault(error.field, error.message)
        return None


def _too_many_codes(wait: timedelta) -> str:
    return f"You asked for several codes just now. Try again in {describe_wait(wait)}."


def _duplicates_allowed(session: Session) -> bool:
    business = session.get(Business, BUSINESS_ID)
    return business is not None and business.allow_duplicate_contacts


def _has_account(session: Session, email: str) -> bool:
    return session.exec(select(Account.id).where(Account.email == email).limit(1)).first() is not None


def _accounts_on(session: Session, email: str) -> list[Account]:
    return list(session.exec(select(Account).where(Account.email == email).order_by(col(Account.id))))


def _live_pending(session: Session, flow_token: object) -> PendingSignup | None:
    token_hash = tokens.hash_presented_token(flow_token)
    if token_hash is None:
        return None
    return session.exec(
        select(PendingSignup).where(PendingSignup.flow_token_hash == token_hash, PendingSignup.expires_at > clock.now())
    ).first()


def _send_signup_code(session: Session, pending: PendingSignup) -> None:
    """Issue a code for the pending signup and put its email in the outbox, in the caller's transaction.

    The email says nothing anyone typed into the form (no name): until the code comes back, the address
    is not proven to be the signer's, and a stranger's words must not reach it in our name.
    """
    lifetime = min(timedelta(minutes=get_settings().signup_code_minutes), pending.expires_at - clock.now())
    code = codes.issue_code(
        session, purpose=SIGNUP_PURPOSE, email=pending.email, lifetime=lifetime, pending_signup_id=pending.id
    )
    existing = not _duplicates_allowed(session) and _has_account(session, pending.email)
    outbox.enqueue(
        session,
        to=pending.email,
        template="existing_account_code" if existing else "signup_code",
        context={"code": code, "expires_minutes": max(1, int(lifetime.total_seconds() // 60))},
    )


@dataclass(frozen=True)
class _Reservation:
    """The rate events a signup recorded in advance: the network's (pays for the argon2 work and the email)
    and the email's (pays for the email sent to it)."""

    network_event_ids: tuple[int, ...]
    email_event_ids: tuple[int, ...]


def _reserve_send(session: Session, *, email: str, ip: str) -> _Reservation | timedelta:
    """Count one code email for `email` at `ip`'s request now, or the wait when a sending limit refuses it.

    Inside the caller's write transaction: on SQLite it holds the write lock since BEGIN; on PostgreSQL
    send_wait's advisory lock makes the count and the insert one step for every reservation.
    """
    wait = codes.send_wait(session, email=email, ip=ip)
    if wait is not None:
        return wait
    codes.record_send(session, email=email, ip=ip)
    recorded = [row for row in session.new if isinstance(row, RateEvent)]
    session.flush()
    return _Reservation(
        network_event_ids=tuple(row.id for row in recorded if row.kind == codes.SENDS_FROM_IP),
        email_event_ids=tuple(row.id for row in recorded if row.kind != codes.SENDS_FROM_IP),
    )


def _give_back(event_ids: tuple[int, ...]) -> None:
    """Un-count reserved sends that did not happen. Best effort: it runs after a failure, which it must not hide."""
    if not event_ids:
        return
    try:
        with db.write_session() as session:
            session.exec(delete(RateEvent).where(col(RateEvent.id).in_(event_ids)))
    except Exception:  # noqa: BLE001 - the signup's own error is the one to report
        logger.warning("could not give back %d reserved code sends", len(event_ids), exc_info=True)


@dataclass(frozen=True)
class _SignupForm:
    full_name: str
    email: str
    password: str
    ip: str


def _check_and_reserve(
    *, full_name: object, email: object, password: object, ip: object
) -> tuple[_SignupForm, _Reservation]:
    """Check the form, then reserve its code email in the sending limits (one write transaction).

    Refused forms and refused sends take nothing from any limit.
    """
    errors: dict[str, str] = {}
    name = _collect(errors, clean_full_name, full_name)
    address = _collect(errors, normalize_email, email)
    _collect(errors, check_new_password, password, address)
    if errors:
        raise FormErrors(errors)
    form = _SignupForm(full_name=name, email=address, password=password, ip=clean_ip(ip))
    with db.write_session() as session:
        reserved = _reserve_send(session, email=form.email, ip=form.ip)
    if isinstance(reserved, timedelta):
        raise FormErrors({"email": _too_many_codes(reserved)})
    return form, reserved


def _store_pending(form: _SignupForm, reservation: _Reservation, password_hash: str) -> str:
    """Store the pending signup and email its code; returns the signup ticket.

    If this fails, the argon2 work was spent (the network keeps its slot) but no email went out (the
    email's slot is given back, so the person can try again at once).
    """
    try:
        with db.write_session() as session:
            now = clock.now()
            pending = PendingSignup(
                email=form.email,
                full_name=form.full_name,
                password_hash=password_hash,
                created_at=now,
                expires_at=now + timedelta(minutes=get_settings().signup_code_minutes) + SIGNUP_GRACE,
            )
            session.add(pending)
            session.flush()
            _send_signup_code(session, pending)
            return tickets.issue_signup_ticket(session, pending_signup_id=pending.id)
    except Exception:
        _give_back(reservation.email_event_ids)
        raise


def _hash_failed(reservation: _Reservation) -> None:
    """No hash and no email: the whole reservation goes back."""
    _give_back(reservation.network_event_ids + reservation.email_event_ids)


def start_signup(*, full_name: object, email: object, password: object, ip: object) -> str:
    """Check the form, store a pending signup and email its code; returns a signup ticket.

    Raises FormErrors with a message for every refused field, including a sending limit on "email".
    Blocks the calling thread while the password waits for the hashing pool: the page's state calls
    start_signup_async instead.
    """
    form, reservation = _check_and_reserve(full_name=full_name, email=email, password=password, ip=ip)
    try:
        password_hash = passwords.hash_password(form.password)
    except Exception:
        _hash_failed(reservation)
        raise
    return _store_pending(form, reservation, password_hash)


async def start_signup_async(*, full_name: object, email: object, password: object, ip: object) -> str:
    """start_signup for the event loop: the database steps run in threads, and the password queues for
    the hashing pool without holding one, so a burst of signups leaves threads for everyone else's events."""
    form, reservation = await asyncio.to_thread(
        _check_and_reserve, full_name=full_name, email=email, password=password, ip=ip
    )
    try:
        password_hash = await passwords.hash_password_async(form.password)
    except Exception:
        await asyncio.to_thread(_hash_failed, reservation)
        raise
    return await asyncio.to_thread(_store_pending, form, reservation, password_hash)


def pending_view(flow_token: object) -> PendingView | None:
    """The pending signup behind the signup cookie, or None when there is no live one."""
    with db.read_session() as session:
        pending = _live_pending(session, flow_token)
        if pending is None:
            return None
        wait = codes.send_wait(session, email=pending.email, ip=None)
        code_expires_at = codes.live_code_expiry(
            session, purpose=SIGNUP_PURPOSE, email=pending.email, pending_signup_id=pending.id
        )
    return PendingView(
        email=pending.email,
        expires_at=pending.expires_at,
        code_expires_at=code_expires_at,
        resend_available_at=clock.now() + wait if wait is not None else None,
    )


def resend_signup_code(flow_token: object, *, ip: object) -> datetime:
    """Email a new code (the old one stops working); returns when the next resend is allowed.

    Raises ResendTooSoon when a sending limit refuses it, FieldError("code") when the signup is gone.
    """
    client_ip = clean_ip(ip)
    with db.write_session() as session:
        pending = _live_pending(session, flow_token)
        if pending is None:
            raise FieldError("code", SIGNUP_EXPIRED)
        reserved = _reserve_send(session, email=pending.email, ip=client_ip)
        if isinstance(reserved, timedelta):
            raise ResendTooSoon(reserved, _too_many_codes(reserved))
        _send_signup_code(session, pending)
        next_wait = codes.send_wait(session, email=pending.email, ip=client_ip)
        return clock.now() + (next_wait or timedelta(0))


def _finish_signup(
    session: Session, pending_signup_id: int, origin: hooks.AccountOrigin | None = None, user_agent: str = ""
) -> str:
    """Turn a verified pending signup into a signed-in account; returns a session (or chooser) ticket.

    The code proved the mailbox, so the sign-in may reach every account on the email. With
    duplicates off and accounts already on the email, it signs into them instead of creating one.
    """
    pending = session.get(PendingSignup, pending_signup_id)
    if pending is None:
        raise FieldError("code", SIGNUP_EXPIRED)
    now = clock.now()
    duplicates_allowed = _duplicates_allowed(session)
    existing = [] if duplicates_allowed else _accounts_on(session, pending.email)
    if existing:
        for account in existing:
            if account.email_verified_at is None:
                account.email_verified_at = now
                activity.record(
                    session, account_id=account.id, app_key=PORTAL_APP_KEY, kind="email_verified", summary=account.email
                )
            session.add(account)
        account_ids, auth_method = [account.id for account in existing], "code"
    else:
        account = Account(
            email=pending.email,
            exclusive_email=None if duplicates_allowed else pending.email,
            full_name=pending.full_name,
            password_hash=pending.password_hash,
            email_verified_at=now,
            created_at=now,
        )
        session.add(account)
        # With duplicates off, a parallel verification that created this email's account first
        # makes this flush fail on the unique exclusive_email index.
        session.flush()
        activity.record(
            session, account_id=account.id, app_key=PORTAL_APP_KEY, kind="account_created", summary="Signed up"
        )
        activity.record(
            session, account_id=account.id, app_key=PORTAL_APP_KEY, kind="email_verified", summary=account.email
        )
        security_log.record(
            session,
            "account_created",
            account_id=account.id,
            method="signup",
            ip=origin.ip if origin is not None else "",
            user_agent=user_agent,
        )
        # Apps hear of the new account in its own transaction (a referral link it came through, say).
        hooks.fire(session, "account_created", account.id, origin=origin)
        account_ids, auth_method = [account.id], "signup"
    session.delete(pending)
    return choices.finish_sign_in(
        session,
        email=pending.email,
        account_ids=account_ids,
        auth_method=auth_method,
        peer_scope=choices.EMAIL_SCOPE,
        next_path="/",
    )


def verify_signup(
    flow_token: object, code: object, *, origin: hooks.AccountOrigin | None = None, user_agent: object = ""
) -> str:
    """Check the emailed code and sign in (creating the account if needed); returns a session or chooser ticket.

    Raises FieldError("code") with what went wrong: expired signup, wrong, dead or expired code, or
    code entry locked for the email after too many refused codes (password login still works).
    `origin` and `user_agent` describe the browser for the security log and the apps' hooks.
    """
    agent = user_agent if isinstance(user_agent, str) else ""
    with db.read_session() as session:
        pending = _live_pending(session, flow_token)
    if pending is None:
        raise FieldError("code", SIGNUP_EXPIRED)
    check = codes.check_code(
        purpose=SIGNUP_PURPOSE,
        email=pending.email,
        code=clean_code(code),
        pending_signup_id=pending.id,
        ip=origin.ip if origin is not None else "",
    )
    if check.status is not CodeStatus.OK:
        raise FieldError("code", codes.describe_problem(check))
    try:
        with db.write_session() as session:
            return _finish_signup(session, pending.id, origin, agent)
    except IntegrityError:
        # The account now exists: the same steps sign into it instead of creating one.
        with db.write_session() as session:
            return _finish_signup(session, pending.id, origin, agent)
