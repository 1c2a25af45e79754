"""Emailed 6-digit codes: kept only as HMACs, few attempts, single use, limited sending, a daily failure budget."""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from portal_app.accounts import code_budget, throttle
from portal_app.accounts.models import EmailCode
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.settings import get_settings

SENDS_TO_EMAIL = "code_send_email"
SENDS_FROM_IP = "code_send_ip"


class CodeStatus(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_CODE = "no_code"
    # The email's daily failure budget is used up (code_budget): nothing was compared.
    LOCKED = "locked"


@dataclass(frozen=True)
class CodeCheck:
    status: CodeStatus
    attempts_left: int = 0
    locked_until: datetime | None = None


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


def check_code(*, purpose: str, email: str, code: str, pending_signup_id: int | None = None) -> CodeCheck:
    """Spend one attempt on the newest live code, then compare; a match uses the code up.

    Every refused code counts against the email's daily failure budget, across purposes; once it
    is used up the answer is LOCKED (with locked_until) and no code is compared until the lock ends.
    """
    with db.write_session() as session:
        locked_until = code_budget.locked_until(session, email)
        if locked_until is not None:
            return CodeCheck(CodeStatus.LOCKED, locked_until=locked_until)
        check = _spend_attempt(session, purpose, email, code, pending_signup_id)
        if check.status is not CodeStatus.OK:
            locked_until = code_budget.record_failure(session, purpose=purpose, email=email)
            if locked_until is not None:
                return CodeCheck(CodeStatus.LOCKED, locked_until=locked_until)
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
        return code_budget.lock_message(check.locked_until)
    if check.status is CodeStatus.WRONG:
        attempts = "1 attempt" if check.attempts_left == 1 else f"{check.attempts_left} attempts"
        return f"That code is not right. You have {attempts} left."
    if check.status is CodeStatus.TOO_MANY_ATTEMPTS:
        return "Too many wrong codes. Request a new code."
    if check.status is CodeStatus.EXPIRED:
        return "This code has expired. Request a new code."
    return "This code is no longer valid. Request a new code."


def send_wait(session: Session, *, email: str, ip: str | None) -> timedelta | None:
    """How long until another code may be emailed to `email` (and requested from `ip`), or None."""
    settings = get_settings()
    waits = [
        throttle.min_interval_wait(session, SENDS_TO_EMAIL, email, timedelta(seconds=settings.code_resend_seconds)),
        throttle.retry_after(
            session, SENDS_TO_EMAIL, email, limit=settings.code_sends_per_hour, window=timedelta(hours=1)
        ),
    ]
    if ip is not None:
        waits.append(
            throttle.retry_after(
                session, SENDS_FROM_IP, ip, limit=settings.code_sends_per_ip_per_minute, window=timedelta(minutes=1)
            )
        )
    return max((wait for wait in waits if wait is not None), default=None)


def record_send(session: Session, *, email: str, ip: str) -> None:
    """Count one code email towards the per-email and per-IP sending limits."""
    throttle.record(session, SENDS_TO_EMAIL, email)
    throttle.record(session, SENDS_FROM_IP, ip)
