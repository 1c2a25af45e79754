"""Emailed 6-digit codes: kept only as HMACs, few attempts, single use, and limited sending."""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from portal_app import clock, db
from portal_app.accounts import throttle, tokens
from portal_app.models import EmailCode
from portal_app.settings import get_settings

SENDS_TO_EMAIL = "code_send_email"
SENDS_FROM_IP = "code_send_ip"


class CodeStatus(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_CODE = "no_code"


@dataclass(frozen=True)
class CodeCheck:
    status: CodeStatus
    attempts_left: int = 0


def _live(purpose: str, email: str, pending_signup_id: int | None):
    return (
        EmailCode.purpose == purpose,
        EmailCode.email == email,
        EmailCode.pending_signup_id == pending_signup_id,
        col(EmailCode.used_at).is_(None),
        col(EmailCode.voided_at).is_(None),
    )


def issue_code(
    session: Session, *, purpose: str, email: str, lifetime: timedelta, pending_signup_id: int | None = None
) -> str:
    """Store a new code (voiding the earlier ones for the same purpose and email) and return it."""
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
    """Spend one attempt on the newest live code, then compare; a match uses the code up."""
    max_attempts = get_settings().code_max_attempts
    with db.write_session() as session:
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
        if counted.rowcount != 1:
            session.refresh(row)
            if row.used_at is None and row.voided_at is None:
                return CodeCheck(CodeStatus.TOO_MANY_ATTEMPTS)
            return CodeCheck(CodeStatus.NO_CODE)
        session.refresh(row)
        if not hmac.compare_digest(row.code_hmac, tokens.code_hmac(purpose, email, code)):
            attempts_left = max_attempts - row.attempts
            if attempts_left <= 0:
                return CodeCheck(CodeStatus.TOO_MANY_ATTEMPTS)
            return CodeCheck(CodeStatus.WRONG, attempts_left)
        used = session.exec(
            update(EmailCode).where(EmailCode.id == row.id, col(EmailCode.used_at).is_(None)).values(used_at=now)
        )
        return CodeCheck(CodeStatus.OK if used.rowcount == 1 else CodeStatus.NO_CODE)


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
