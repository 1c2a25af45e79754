"""Staff sign-in in two steps: email and password, then a code emailed to the staff address.

Step 1 answers one message for every failure (unknown email, wrong password, disabled account)
after the same argon2 work, and is throttled in the database like client login. Only then is a
code emailed, and a challenge tied to the browser that passed step 1 (its binding cookie). Step 2
checks the code in that browser only and hands out a one-time ticket bound to it; the admin HTTP
route trades the ticket for the staff cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from portal_app.accounts import code_budget, codes, passwords, throttle, tickets
from portal_app.accounts.codes import CodeCheck, CodeStatus
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.login import INCORRECT, count_failure, email_failures_wait, forget_failure, too_many_attempts
from portal_app.accounts.validation import MAX_PASSWORD_LENGTH, clean_code, normalize_email
from portal_app.admin import staff_sessions
from portal_app.admin.models import StaffAccount, StaffLoginChallenge, StaffTicket
from portal_app.email import outbox
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings

STAFF_LOGIN_PURPOSE = "staff_login"
STAFF_CODE_TEMPLATE = "staff_login_code"
ATTEMPTS_FROM_IP = "staff_login_ip"
STAFF = "staff"
NO_BROWSER_COOKIE = "Your browser did not send the portal's cookie. Reload the page and try again."
START_AGAIN = "Enter your email and password again."


def code_lifetime() -> timedelta:
    return timedelta(minutes=get_settings().login_code_minutes)


def _email_or_none(raw: object) -> str | None:
    try:
        return normalize_email(raw)
    except FieldError:
        return None


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
        waits.append(email_failures_wait(session, email, ip, family=STAFF))
    wait = max((wait for wait in waits if wait is not None), default=None)
    if wait is not None:
        raise LoginFailed(too_many_attempts(wait), retry_after=wait)


def _password_matches(email: str | None, password: str) -> StaffAccount | None:
    """The enabled staff account with this email and password, or None after the same argon2 work."""
    staff = None
    if email is not None:
        with db.read_session() as session:
            staff = session.exec(select(StaffAccount).where(StaffAccount.email == email)).first()
    if staff is None:
        passwords.burn_equal_work(password)
        return None
    if not passwords.verify_password(staff.password_hash, password) or staff.disabled_at is not None:
        return None
    new_hash = passwords.upgraded_hash(staff.password_hash, password)
    if new_hash is not None:
        with db.write_session() as session:
            passwords.store_upgrade(session, StaffAccount, staff.id, staff.password_hash, new_hash)
    return staff


@dataclass(frozen=True)
class CodeSent:
    """Step 1 passed: the address the code went to, and until when it works."""

    email: str
    expires_at: datetime
    new_code: bool


def _live_challenge(session: Session, staff_id: int, device_hash: str) -> StaffLoginChallenge | None:
    return session.exec(
        select(StaffLoginChallenge)
        .where(
            StaffLoginChallenge.staff_id == staff_id,
            StaffLoginChallenge.device_hash == device_hash,
            col(StaffLoginChallenge.used_at).is_(None),
            StaffLoginChallenge.expires_at > clock.now(),
        )
        .order_by(col(StaffLoginChallenge.id).desc())
    ).first()


def start_login(*, email: object, password: object, ip: object, browser_token: object) -> CodeSent:
    """Step 1: check email and password; when they match, email a code for this browser.

    Raises LoginFailed: "Email or password is incorrect.", a throttle's "Try again in ...", or
    (after a right password only) a code-sending limit or the email's code lock.
    """
    device_hash = tokens.hash_presented_token(browser_token)
    if device_hash is None:
        raise LoginFailed(NO_BROWSER_COOKIE)
    client_ip = clean_ip(ip)
    address = _email_or_none(email)
    secret = password if isinstance(password, str) and len(password) <= MAX_PASSWORD_LENGTH else ""
    with db.write_session() as session:
        _refuse_if_throttled(session, client_ip, address)
        throttle.record(session, ATTEMPTS_FROM_IP, throttle.network(client_ip))
        # Counted as a failure until the password matches, so parallel guesses cannot outrun the limit.
        failure = count_failure(session, address, client_ip, family=STAFF) if address is not None else []
    staff = _password_matches(address, secret)
    if staff is None:
        raise LoginFailed(INCORRECT)
    problem = None
    with db.write_session() as session:
        forget_failure(session, failure)
        locked_until = code_budget.locked_until(session, address, client_ip, purpose=STAFF_LOGIN_PURPOSE)
        wait = codes.send_wait(session, email=address, ip=client_ip, staff=True)
        if locked_until is not None:
            problem = f"Code entry for this email is locked until {locked_until:%H:%M} UTC."
        elif wait is not None:
            earlier = _live_challenge(session, staff.id, device_hash)
            if earlier is not None:
                return CodeSent(email=address, expires_at=earlier.expires_at, new_code=False)
            problem = f"We sent a code just now. Try again in {throttle.describe_wait(wait)}."
        else:
            return _send_code(session, staff, device_hash, client_ip)
    raise LoginFailed(problem)


def _send_code(session: Session, staff: StaffAccount, device_hash: str, ip: str) -> CodeSent:
    now = clock.now()
    lifetime = code_lifetime()
    codes.record_send(session, email=staff.email, ip=ip, staff=True)
    code = codes.issue_code(session, purpose=STAFF_LOGIN_PURPOSE, email=staff.email, lifetime=lifetime)
    # Only the newest browser to pass step 1 can finish: the code it is sent voids the earlier ones.
    session.exec(
        update(StaffLoginChallenge)
        .where(StaffLoginChallenge.staff_id == staff.id, col(StaffLoginChallenge.used_at).is_(None))
        .values(used_at=now)
    )
    session.add(
        StaffLoginChallenge(staff_id=staff.id, device_hash=device_hash, created_at=now, expires_at=now + lifetime)
    )
    outbox.enqueue(
        session,
        to=staff.email,
        template=STAFF_CODE_TEMPLATE,
        context={"code": code, "name": staff.name, "expires_minutes": get_settings().login_code_minutes},
    )
    return CodeSent(email=staff.email, expires_at=now + lifetime, new_code=True)


def describe_problem(check: CodeCheck) -> str:
    """The sentence the code field shows for a refused staff code."""
    if check.status is CodeStatus.WRONG:
        attempts = "1 attempt" if check.attempts_left == 1 else f"{check.attempts_left} attempts"
        return f"That code is not right. You have {attempts} left."
    if check.status is CodeStatus.LOCKED and check.locked_until is not None:
        return code_budget.lock_message(check.locked_until, check.lock_scope, other_ways=False)
    if check.status is CodeStatus.TOO_MANY_ATTEMPTS:
        return f"Too many wrong codes. {START_AGAIN}"
    if check.status is CodeStatus.EXPIRED:
        return f"This code has expired. {START_AGAIN}"
    return f"This code is no longer valid. {START_AGAIN}"


def finish_login(*, email: object, code: object, browser_token: object, ip: object = "") -> str:
    """Step 2: check the emailed code in the browser that passed step 1; returns a ticket bound to it.

    Raises FieldError("code"): malformed, wrong, dead or expired code, or no step 1 in this browser.
    """
    digits = clean_code(code)
    address = _email_or_none(email)
    device_hash = tokens.hash_presented_token(browser_token)
    expired = FieldError("code", f"This sign-in has expired. {START_AGAIN}")
    if address is None or device_hash is None:
        raise expired
    with db.read_session() as session:
        staff = session.exec(select(StaffAccount).where(StaffAccount.email == address)).first()
        challenge = _live_challenge(session, staff.id, device_hash) if staff is not None else None
    if challenge is None:
        raise expired
    check = codes.check_code(purpose=STAFF_LOGIN_PURPOSE, email=address, code=digits, ip=clean_ip(ip))
    if check.status is not CodeStatus.OK:
        raise FieldError("code", describe_problem(check))
    with db.write_session() as session:
        now = clock.now()
        claimed = session.exec(
            update(StaffLoginChallenge)
            .where(StaffLoginChallenge.id == challenge.id, col(StaffLoginChallenge.used_at).is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:
            raise expired
        token = tokens.new_token()
        session.add(
            StaffTicket(
                token_hash=tokens.hash_token(token),
                staff_id=challenge.staff_id,
                device_hash=challenge.device_hash,
                created_at=now,
                expires_at=now + timedelta(seconds=get_settings().login_ticket_seconds),
            )
        )
    return token


def redeem_ticket(token: object, *, browser_token: object, user_agent: object, ip: object) -> str | None:
    """Use a staff ticket once, in the browser it is bound to: the new staff session's cookie token, or None."""
    token_hash = tokens.hash_presented_token(token)
    browser_hash = tokens.hash_presented_token(browser_token)
    if token_hash is None or browser_hash is None:
        return None
    with db.write_session() as session:
        now = clock.now()
        ticket = tickets.claim_bound_ticket(
            session, StaffTicket, token_hash=token_hash, browser_hash=browser_hash, now=now
        )
        if ticket is None:
            return None
        staff = session.get(StaffAccount, ticket.staff_id)
        if staff is None or staff.disabled_at is not None:
            return None
        staff.last_login_at = now
        session.add(staff)
        return staff_sessions.create_session(session, staff_id=staff.id, user_agent=user_agent, ip=ip)
