"""Changing the account's email: the person proves it is them, then a code sent to the new address comes back.

A live session alone never moves the account: whoever holds one (a borrowed laptop, a stolen cookie)
could otherwise move it to their own mailbox, sign in there by code and set a new password. So:

1. Saving the profile with a new address opens a change for *this* browser session only (`start`).
2. The session proves it is the owner (`prove_identity`): the current password for an account that
   has one, counted and throttled like a failed login on its email; for a passwordless account, a
   code sent to the current address
   (purpose "email_reauth").
3. Only then a code goes to the new address; `confirm` checks it and moves the account.

Codes follow the rules of every emailed code (codes): 6 digits kept as an HMAC bound to the purpose
and address, 5 attempts, the shared sending limits and daily failure budget; a newer code voids the
older one. The duplicate rule applies to the new address: with duplicates off and the address in
use, the screen still says a code was sent (no enumeration), the email there says the address is
taken, and confirming fails with a neutral message; the unique Account.exclusive_email index settles
two accounts confirming one address at once.

When the change is made, the old address gets a notice with a "This wasn't me" link (email_revert):
single use, REVERT_LINK_LIFETIME, stored only as a hash. Each step writes its security log line in
its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from portal_app.accounts import choices, code_budget, codes, login, passwords, security_log
from portal_app.accounts.codes import CodeCheck, CodeStatus
from portal_app.accounts.models import Account, AccountPreference, LoginTicket, UserSession
from portal_app.accounts.sessions import NOT_SIGNED_IN, SessionInfo, signed_in_account
from portal_app.accounts.throttle import describe_wait
from portal_app.accounts.validation import MAX_PASSWORD_LENGTH, clean_code
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings
from portal_app.profile.models import EmailChange, EmailChangeRevert

EMAIL_CHANGE_PURPOSE = "email_change"
# The code to the current address that proves a passwordless owner (at most 12 characters: the failure
# budget's rate event kinds add 20 and must fit 32).
IDENTITY_PURPOSE = "email_reauth"
CODE_TEMPLATE = "email_change_code"
IDENTITY_TEMPLATE = "email_change_current_code"
NOTICE_TEMPLATE = "email_changed_notice"
# The page keeps offering the code box (and "Send a new code") this long after the code expires.
PENDING_GRACE = timedelta(hours=1)
REVERT_LINK_LIFETIME = timedelta(days=7)
REVERT_PATH = "/profile/undo-email"

# The steps of a change, as the profile page shows them.
STEP_PASSWORD = "password"
STEP_CURRENT_CODE = "current_code"
STEP_NEW_CODE = "new_code"

NO_CHANGE_WAITING = "There is no email change waiting for a code. Enter the new address under Email and save."
CANNOT_CHANGE = "Your email can't be changed to this address. Try a different one."
ENTER_PASSWORD = "Enter your current password to change your email."
WRONG_PASSWORD = "That is not your current password."
PROVE_FIRST = "First confirm it's you: then we send a code to the new address."


def code_lifetime() -> timedelta:
    return timedelta(minutes=get_settings().signup_code_minutes)


def identity_code_lifetime() -> timedelta:
    """A code to the current address proves the owner as a login code does, and lives as long."""
    return timedelta(minutes=get_settings().login_code_minutes)


def _too_many_codes(wait: timedelta) -> str:
    return f"You asked for several codes just now. Try again in {describe_wait(wait)}."


def _paused(until: datetime, whose: str = "this address") -> str:
    return f"Codes for {whose} are paused until {until:%H:%M} UTC after too many wrong entries. Try again later."


def duplicates_allowed(session: Session) -> bool:
    business = session.get(Business, BUSINESS_ID)
    return business is not None and business.allow_duplicate_contacts


def used_by_another_account(session: Session, *, account_id: int, email: str) -> bool:
    return (
        session.exec(select(Account.id).where(Account.email == email, Account.id != account_id).limit(1)).first()
        is not None
    )


def pending_change(session: Session, account_id: int, session_id: int | None) -> EmailChange | None:
    """The change this browser session opened for the account and has not finished, or None.

    A change belongs to the session that asked: another browser of the account never sees it, so
    nobody is led to type their password into a change someone else started.
    """
    pending = session.get(EmailChange, account_id)
    if pending is None or session_id is None or pending.session_id != session_id or pending.expires_at <= clock.now():
        return None
    return pending


def step_of(pending: EmailChange, account: Account) -> str:
    """What the page asks for next: the current password, the code sent to the current address, or the new one's."""
    if pending.identity_proven_at is not None:
        return STEP_NEW_CODE
    return STEP_PASSWORD if account.password_hash is not None else STEP_CURRENT_CODE


def code_expiry(session: Session, pending: EmailChange) -> datetime | None:
    """When the code for the new address stops working (None before it was sent or once it is dead)."""
    if pending.identity_proven_at is None:
        return None
    return codes.live_code_expiry(session, purpose=EMAIL_CHANGE_PURPOSE, email=pending.new_email)


def _send_code(session: Session, *, account_id: int, new_email: str, ip: object) -> None:
    """Check the sending limits, then issue a code to `new_email` and put its email in the outbox.

    Raises FieldError (field "email") when a limit refuses it or code entry for the address is locked;
    nothing is written then.
    """
    client_ip = clean_ip(ip)
    locked_until = code_budget.locked_until(session, new_email, client_ip)
    if locked_until is not None:
        raise FieldError("email", _paused(locked_until))
    wait = codes.send_wait(session, email=new_email, ip=client_ip)
    if wait is not None:
        raise FieldError("email", _too_many_codes(wait))
    lifetime = code_lifetime()
    code = codes.issue_code(session, purpose=EMAIL_CHANGE_PURPOSE, email=new_email, lifetime=lifetime)
    codes.record_send(session, email=new_email, ip=client_ip)
    already_used = not duplicates_allowed(session) and used_by_another_account(
        session, account_id=account_id, email=new_email
    )
    outbox.enqueue(
        session,
        to=new_email,
        template=CODE_TEMPLATE,
        context={
            "code": code,
            "expires_minutes": get_settings().signup_code_minutes,
            "already_used": already_used,
        },
    )


def _send_identity_code(session: Session, *, account: Account, new_email: str, ip: object) -> None:
    """A code to the account's current address, which a passwordless owner enters to prove it is them.

    Raises FieldError("email") when a sending limit refuses it or code entry for the address is locked.
    """
    client_ip = clean_ip(ip)
    locked_until = code_budget.locked_until(session, account.email, client_ip)
    if locked_until is not None:
        raise FieldError("email", _paused(locked_until, "your current address"))
    wait = codes.send_wait(session, email=account.email, ip=client_ip)
    if wait is not None:
        raise FieldError("email", _too_many_codes(wait))
    code = codes.issue_code(session, purpose=IDENTITY_PURPOSE, email=account.email, lifetime=identity_code_lifetime())
    codes.record_send(session, email=account.email, ip=client_ip)
    outbox.enqueue(
        session,
        to=account.email,
        template=IDENTITY_TEMPLATE,
        context={
            "code": code,
            "full_name": account.full_name,
            "new_email": new_email,
            "expires_minutes": get_settings().login_code_minutes,
        },
    )


def _pending_until(lifetime: timedelta) -> datetime:
    return clock.now() + lifetime + PENDING_GRACE


def start(
    session: Session, *, account: Account, session_id: int, new_email: str, ip: object, user_agent: object = ""
) -> str:
    """Open a change to `new_email` (already normalised) for this session, in the caller's transaction; returns
    the step the page asks for next (STEP_PASSWORD or STEP_CURRENT_CODE, after a code to the current address).

    Replaces an earlier change of the account, from any session, along with its proof. Raises
    FieldError("email") when a sending limit refuses the code to the current address.
    """
    if account.password_hash is None:
        _send_identity_code(session, account=account, new_email=new_email, ip=ip)
        lifetime = identity_code_lifetime()
    else:
        lifetime = code_lifetime()
    values = {
        "new_email": new_email,
        "requested_at": clock.now(),
        "expires_at": _pending_until(lifetime),
        "session_id": session_id,
        "identity_proven_at": None,
    }
    db.upsert(session, EmailChange, key={"account_id": account.id}, values=values)
    security_log.record(
        session,
        "email_change_started",
        account_id=account.id,
        email=account.email,
        ip=clean_ip(ip),
        user_agent=user_agent if isinstance(user_agent, str) else "",
        detail=f"to {new_email}",
    )
    return STEP_PASSWORD if account.password_hash is not None else STEP_CURRENT_CODE


def _check_password(account: Account, password: object, ip: str) -> None:
    """Refuse a wrong current password, counted and throttled like a failed login on the account's email."""
    if not isinstance(password, str) or not password:
        raise FieldError("current_password", ENTER_PASSWORD)
    with db.write_session() as session:
        wait = login.email_failures_wait(session, account.email, ip)
        if wait is not None:
            raise FieldError("current_password", login.too_many_attempts(wait))
        # Counted as a failure until it matches, as for logins, so parallel guesses cannot outrun the limit.
        failure = login.count_failure(session, account.email, ip)
    secret = password if len(password) <= MAX_PASSWORD_LENGTH else ""
    if not passwords.verify_password(account.password_hash, secret):
        raise FieldError("current_password", WRONG_PASSWORD)
    with db.write_session() as session:
        login.forget_failure(session, failure)


def _check_identity_code(account: Account, code: object, ip: str) -> None:
    try:
        digits = clean_code(code)
    except FieldError as error:
        raise FieldError("current_code", error.message) from None
    check = codes.check_code(purpose=IDENTITY_PURPOSE, email=account.email, code=digits, ip=ip)
    if check.status is not CodeStatus.OK:
        raise FieldError("current_code", codes.describe_problem(check))


@dataclass(frozen=True)
class Proof:
    """After the owner proved it is them: the new address, and why its code could not go yet ("" when it went)."""

    new_email: str
    code_problem: str = ""


def prove_identity(signed_in: SessionInfo | None, secret: object, *, ip: object) -> Proof:
    """Take the current password (or, without one, the code sent to the current address), then send the code
    to the new address.

    Raises FieldError("current_password") or FieldError("current_code") for a missing, wrong or throttled
    secret, or when this session has no change waiting; PermissionError when the session is unknown or over.
    A sending limit on the new address does not undo the proof: Proof.code_problem says when to ask again.
    """
    info, account = signed_in_account(signed_in)
    field = "current_password" if account.password_hash is not None else "current_code"
    with db.read_session() as session:
        pending = pending_change(session, account.id, info.id)
    if pending is None:
        raise FieldError(field, NO_CHANGE_WAITING)
    if pending.identity_proven_at is not None:
        return Proof(pending.new_email)
    if account.password_hash is not None:
        _check_password(account, secret, clean_ip(ip))
    else:
        _check_identity_code(account, secret, clean_ip(ip))
    with db.write_session() as session:
        current = pending_change(session, account.id, info.id)
        if current is None or current.new_email != pending.new_email or session.get(UserSession, info.id) is None:
            raise FieldError(field, NO_CHANGE_WAITING)
        current.identity_proven_at = clock.now()
        current.expires_at = _pending_until(code_lifetime())
        session.add(current)
        try:
            _send_code(session, account_id=account.id, new_email=current.new_email, ip=ip)
        except FieldError as refused:
            return Proof(current.new_email, refused.message)
        return Proof(current.new_email)


def resend_identity_code(signed_in: SessionInfo | None, *, ip: object) -> str:
    """Send a new code to the current address of a passwordless account (earlier ones stop working); returns it.

    Raises FieldError("current_code") when nothing waits for that code or a sending limit refuses it,
    PermissionError when the session is unknown or over.
    """
    info, account = signed_in_account(signed_in)
    with db.write_session() as session:
        pending = pending_change(session, account.id, info.id)
        if pending is None or step_of(pending, account) != STEP_CURRENT_CODE:
            raise FieldError("current_code", NO_CHANGE_WAITING)
        try:
            _send_identity_code(session, account=account, new_email=pending.new_email, ip=ip)
        except FieldError as error:
            raise FieldError("current_code", error.message) from None
        pending.expires_at = _pending_until(identity_code_lifetime())
        session.add(pending)
        return account.email


def resend_code(signed_in: SessionInfo | None, *, ip: object) -> str:
    """Send a new code to the new address (earlier ones stop working); returns the address.

    Raises FieldError("code") when this session has no proven change waiting or a sending limit refuses
    it, PermissionError when the session is unknown or over.
    """
    info, account = signed_in_account(signed_in)
    with db.write_session() as session:
        pending = pending_change(session, account.id, info.id)
        if pending is None:
            raise FieldError("code", NO_CHANGE_WAITING)
        if pending.identity_proven_at is None:
            raise FieldError("code", PROVE_FIRST)
        try:
            _send_code(session, account_id=account.id, new_email=pending.new_email, ip=ip)
        except FieldError as error:
            raise FieldError("code", error.message) from None
        pending.expires_at = _pending_until(code_lifetime())
        session.add(pending)
        return pending.new_email


def cancel(signed_in: SessionInfo | None) -> None:
    """Keep the current email: forget this session's change (its codes can no longer change anything)."""
    info, account = signed_in_account(signed_in)
    with db.write_session() as session:
        session.exec(delete(EmailChange).where(EmailChange.account_id == account.id, EmailChange.session_id == info.id))


def _drop_pending(account_id: int, new_email: str) -> None:
    with db.write_session() as session:
        session.exec(
            delete(EmailChange).where(EmailChange.account_id == account_id, EmailChange.new_email == new_email)
        )


def _narrow_other_sign_ins(session: Session, *, account_id: int, confirming_session_id: int) -> None:
    """Only the browser that proved the new mailbox may reach other accounts on it without a login.

    Other sessions of the account (and tickets not yet traded for one) proved the old mailbox at
    most: they keep this account only.
    """
    own_only = choices.scope_of_ids([account_id])
    session.exec(
        update(UserSession)
        .where(UserSession.account_id == account_id, UserSession.id != confirming_session_id)
        .values(peer_scope=own_only)
    )
    session.exec(
        update(UserSession).where(UserSession.id == confirming_session_id).values(peer_scope=choices.EMAIL_SCOPE)
    )
    session.exec(
        update(LoginTicket)
        .where(LoginTicket.account_id == account_id, col(LoginTicket.used_at).is_(None))
        .values(peer_scope=own_only)
    )


def revert_link_url(token: str) -> str:
    """Always from the configured public URL: a request's Host header could point the link elsewhere."""
    return f"{get_settings().public_url}{REVERT_PATH}?token={quote(token)}"


def _issue_revert_link(session: Session, *, account_id: int, old_email: str, new_email: str) -> str:
    """Store a "This wasn't me" link for the change (only its hash) and return its URL."""
    token = tokens.new_token()
    now = clock.now()
    session.add(
        EmailChangeRevert(
            account_id=account_id,
            old_email=old_email,
            new_email=new_email,
            token_hash=tokens.hash_token(token),
            created_at=now,
            expires_at=now + REVERT_LINK_LIFETIME,
        )
    )
    return revert_link_url(token)


def _notify_old_address(session: Session, account: Account, *, old_email: str, new_email: str) -> None:
    now = clock.now()
    business = session.get(Business, BUSINESS_ID)
    revert_link = _issue_revert_link(session, account_id=account.id, old_email=old_email, new_email=new_email)
    outbox.enqueue(
        session,
        to=old_email,
        template=NOTICE_TEMPLATE,
        context={
            "full_name": account.full_name,
            "old_email": old_email,
            "new_email": new_email,
            "changed_at": code_budget.describe_moment(now),
            "revert_link": revert_link,
            "revert_until": code_budget.describe_moment(now + REVERT_LINK_LIFETIME),
            "support_email": business.support_email if business else "",
        },
    )


def _apply(
    session: Session, *, account_id: int, session_id: int, new_email: str, ip: str, user_agent: str
) -> str | None:
    """Move the account to the proven address; returns the old one, or None when the duplicate rule forbids it.

    Raises IntegrityError (on flush) when another account claimed the address exclusively meanwhile.
    """
    if session.get(UserSession, session_id) is None:
        raise PermissionError(NOT_SIGNED_IN)
    pending = pending_change(session, account_id, session_id)
    if pending is None or pending.new_email != new_email or pending.identity_proven_at is None:
        raise FieldError("code", codes.describe_problem(CodeCheck(CodeStatus.NO_CODE)))
    account = session.get(Account, account_id)
    if account is None:
        raise PermissionError(NOT_SIGNED_IN)
    allowed = duplicates_allowed(session)
    if not allowed and used_by_another_account(session, account_id=account_id, email=new_email):
        return None
    old_email = account.email
    account.email = new_email
    account.exclusive_email = None if allowed else new_email
    account.email_verified_at = clock.now()
    session.add(account)
    session.flush()
    session.delete(pending)
    _narrow_other_sign_ins(session, account_id=account_id, confirming_session_id=session_id)
    session.exec(
        delete(AccountPreference).where(
            AccountPreference.email == old_email, AccountPreference.account_id == account_id
        )
    )
    security_log.record(
        session,
        "email_changed",
        account_id=account_id,
        email=new_email,
        ip=ip,
        user_agent=user_agent,
        detail=f"from {old_email}",
    )
    _notify_old_address(session, account, old_email=old_email, new_email=new_email)
    return old_email


def confirm(signed_in: SessionInfo | None, code: object, *, ip: object = "", user_agent: object = "") -> str:
    """Check the code sent to the new address and make it the account's email; returns the new email.

    Raises FieldError("code"): malformed, wrong, dead or expired code, code entry locked, nothing
    pending for this session, identity not proven yet, or the address cannot be used (CANNOT_CHANGE,
    the same words whatever the reason). PermissionError when the session is unknown or over.
    """
    info, account = signed_in_account(signed_in)
    digits = clean_code(code)
    with db.read_session() as session:
        pending = pending_change(session, account.id, info.id)
    if pending is None:
        raise FieldError("code", NO_CHANGE_WAITING)
    if pending.identity_proven_at is None:
        raise FieldError("code", PROVE_FIRST)
    new_email = pending.new_email
    check = codes.check_code(purpose=EMAIL_CHANGE_PURPOSE, email=new_email, code=digits, ip=clean_ip(ip))
    if check.status is not CodeStatus.OK:
        raise FieldError("code", codes.describe_problem(check))
    agent = user_agent if isinstance(user_agent, str) else ""
    try:
        with db.write_session() as session:
            old_email = _apply(
                session,
                account_id=account.id,
                session_id=info.id,
                new_email=new_email,
                ip=clean_ip(ip),
                user_agent=agent,
            )
    except IntegrityError:
        old_email = None
    if old_email is None:
        _drop_pending(account.id, new_email)
        raise FieldError("code", CANNOT_CHANGE)
    return new_email
