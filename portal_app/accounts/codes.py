"""Emailed 6-digit codes: kept only as HMACs, few attempts, single use, limited sending, a daily failure budget.

Sending is limited per email from one network (5 an hour), per email from every network (15 an hour) and
per network (20 a minute), so an attacker asking for codes from one place cannot use up the person's.
"""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from portal_app.accounts import code_budget, security_log, throttle
from portal_app.accounts.models import EmailCode
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.settings import get_settings

SENDS_TO_EMAIL = "code_send_email"
SENDS_TO_EMAIL_FROM_NETWORK = "code_send_pair"
SENDS_FROM_IP = "code_send_ip"
STAFF_SENDS_TO_EMAIL = "staff_code_send_email"


NOT_REQUESTED_MESSAGE = (
    "Ask for a code first: a code works only in the browser that asked for it, or that opened the link in "
    "your invitation."
)


class CodeStatus(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_CODE = "no_code"
    # A failure budget is used up or a limit reached (code_budget): nothing was compared.
    LOCKED = "locked"
    # This browser never asked for a code for the email (code login): nothing was compared or counted.
    NOT_REQUESTED = "not_requested"


@dataclass(frozen=True)
class CodeCheck:
    status: CodeStatus
    attempts_left: int = 0
    locked_until: datetime | None = None
    # What the lock covers (code_budget.Lock.scope).
    lock_scope: str = "email"


def _live(purpose: str, email: str, pending_signup_id: int | None):
    return (
        EmailCode.purpose == purpose,
        EmailCode.email == email,
        EmailCode.pending_signup_id == pending_signup_id,
        col(EmailCode.used_at).is_(None),
        col(EmailCode.voided_at).is_(None),
    )


def issue_code(
    session: Session,
    *,
    purpose: str,
    email: str,
    lifetime: timedelta,
    pending_signup_id: int | None = None,
    link_token_hash: str | None = None,
) -> str:
    """Store a new code (voiding the earlier ones for the same purpose and email) and return it.

    link_token_hash ties a magic link to the code: one row, so using or voiding either ends both.
    """
    now = clock.now()
    session.exec(update(EmailCode).where(*_live(purpose, email, pending_signup_id)).values(voided_at=now))
    code = tokens.new_code()
    session.add(
        EmailCode(
            purpose=purpose,
            email=email,
            code_hmac=tokens.code_hmac(purpose, email, code),
            pending_signup_id=pending_signup_id,
            created_at=now,
            expires_at=now + lifetime,
            link_token_hash=link_token_hash,
        )
    )
    return code


def live_code_expiry(
    session: Session, *, purpose: str, email: str, pending_signup_id: int | None = None
) -> datetime | None:
    """When the newest code that can still be tried runs out (None if there is none), for the page."""
    return session.exec(
        select(EmailCode.expires_at)
        .where(*_live(purpose, email, pending_signup_id), EmailCode.attempts < get_settings().code_max_attempts)
        .order_by(col(EmailCode.id).desc())
    ).first()


def check_code(*, purpose: str, email: str, code: str, pending_signup_id: int | None = None, ip: str = "") -> CodeCheck:
    """Spend one attempt on the newest live code, then compare; a match uses the code up.

    Every refused code counts against the failure budgets of code_budget (the email from `ip`'s network,
    the email from everywhere, the site); while one is used up, or `ip`'s network checked too many codes
    this minute, the answer is LOCKED (with locked_until and its scope) and nothing is compared.
    """
    with db.write_session() as session:
        refusal = code_budget.check_refusal(session, email=email, ip=ip, purpose=purpose)
        if refusal is not None:
            return CodeCheck(CodeStatus.LOCKED, locked_until=refusal.until, lock_scope=refusal.scope)
        code_budget.record_check(session, ip)
        check = _spend_attempt(session, purpose, email, code, pending_signup_id)
        if check.status is not CodeStatus.OK:
            lock = code_budget.record_failure(session, purpose=purpose, email=email, ip=ip)
            if lock is not None:
                return CodeCheck(CodeStatus.LOCKED, locked_until=lock.until, lock_scope=lock.scope)
        return check


def _spend_attempt(session: Session, purpose: str, email: str, code: str, pending_signup_id: int | None) -> CodeCheck:
    max_attempts = get_settings().code_max_attempts
    now = clock.now()
    row = session.exec(
        select(EmailCode).where(*_live(purpose, email, pending_signup_id)).order_by(col(EmailCode.id).desc())
    ).first()
    if row is None:
        return CodeCheck(CodeStatus.NO_CODE)
    if row.expires_at <= now:
        return CodeCheck(CodeStatus.EXPIRED)
    # Count the attempt before comparing, atomically, so parallel guesses cannot exceed the limit.
    counted = session.exec(
        update(EmailCode)
        .where(
            EmailCode.id == row.id,
            EmailCode.attempts < max_attempts,
            col(EmailCode.used_at).is_(None),
            col(EmailCode.voided_at).is_(None),
        )
        .values(attempts=EmailCode.attempts + 1)
    )
    # Read the row again rather than refresh it: a parallel request that used the code may have
    # deleted it with its signup by now (refresh would raise), which reads as "no code".
    current = session.exec(
        select(EmailCode.used_at, EmailCode.voided_at, EmailCode.attempts, EmailCode.code_hmac).where(
            EmailCode.id == row.id
        )
    ).first()
    if current is None:
        return CodeCheck(CodeStatus.NO_CODE)
    used_at, voided_at, attempts, code_hmac = current
    if counted.rowcount != 1:
        if used_at is None and voided_at is None:
            return CodeCheck(CodeStatus.TOO_MANY_ATTEMPTS)
        return CodeCheck(CodeStatus.NO_CODE)
    if not hmac.compare_digest(code_hmac, tokens.code_hmac(purpose, email, code)):
        attempts_left = max_attempts - attempts
        if attempts_left <= 0:
            return CodeCheck(CodeStatus.TOO_MANY_ATTEMPTS)
        return CodeCheck(CodeStatus.WRONG, attempts_left)
    used = session.exec(
        update(EmailCode).where(EmailCode.id == row.id, col(EmailCode.used_at).is_(None)).values(used_at=now)
    )
    return CodeCheck(CodeStatus.OK if used.rowcount == 1 else CodeStatus.NO_CODE)


def describe_problem(check: CodeCheck) -> str:
    """The sentence the code field shows for a refused code."""
    if check.status is CodeStatus.LOCKED and check.locked_until is not None:
        return code_budget.lock_message(check.locked_until, check.lock_scope)
    if check.status is CodeStatus.NOT_REQUESTED:
        return NOT_REQUESTED_MESSAGE
    if check.status is CodeStatus.WRONG:
        attempts = "1 attempt" if check.attempts_left == 1 else f"{check.attempts_left} attempts"
        return f"That code is not right. You have {attempts} left."
    if check.status is CodeStatus.TOO_MANY_ATTEMPTS:
        return "Too many wrong codes. Request a new code."
    if check.status is CodeStatus.EXPIRED:
        return "This code has expired. Request a new code."
    return "This code is no longer valid. Request a new code."


def _sends_to(staff: bool) -> str:
    return STAFF_SENDS_TO_EMAIL if staff else SENDS_TO_EMAIL


# Code sends (signup, login codes, resends, staff codes, confirmations) queue on one lock from the moment
# they count the sending limits until their transaction ends with its send recorded, so two of them cannot
# both see room (throttle.serialize; SQLite's writers queue at BEGIN anyway).
SEND_LOCK = "code-send-reservation"


def send_wait(session: Session, *, email: str, ip: str | None, staff: bool = False) -> timedelta | None:
    """How long until another code may be emailed to `email` at `ip`'s request, or None. Staff sign-in codes
    have their own count, so clients asking for codes to a staff address never hold up its sign-in.

    Takes the sending lock for the rest of the caller's transaction (record the send in the same one)."""
    throttle.serialize(session, SEND_LOCK)
    settings = get_settings()
    hour = timedelta(hours=1)
    to_email = _sends_to(staff)
    waits = [throttle.min_interval_wait(session, to_email, email, timedelta(seconds=settings.code_resend_seconds))]
    # The email's total across networks protects its mailbox from a flood; a network the email's account
    # signed in from lately is the person's own, and never waits for what strangers asked.
    if ip is None or staff or not security_log.signed_in_lately_from(session, email, ip):
        waits.append(
            throttle.retry_after(session, to_email, email, limit=settings.code_sends_per_hour_per_email, window=hour)
        )
    if ip is not None:
        pair = throttle.pair_key(email, ip)
        kind = f"{to_email}:pair" if staff else SENDS_TO_EMAIL_FROM_NETWORK
        waits += [
            throttle.retry_after(session, kind, pair, limit=settings.code_sends_per_hour, window=hour),
            throttle.retry_after(
                session,
                SENDS_FROM_IP,
                throttle.network(ip),
                limit=settings.code_sends_per_ip_per_minute,
                window=timedelta(minutes=1),
            ),
        ]
    return max((wait for wait in waits if wait is not None), default=None)


def record_send(session: Session, *, email: str, ip: str, staff: bool = False) -> None:
    """Count one code email towards the sending limits (the email; the email from the network; the network)."""
    to_email = _sends_to(staff)
    throttle.record(session, to_email, email)
    throttle.record(session, f"{to_email}:pair" if staff else SENDS_TO_EMAIL_FROM_NETWORK, throttle.pair_key(email, ip))
    throttle.record(session, SENDS_FROM_IP, throttle.network(ip))
