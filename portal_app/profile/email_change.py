"""Changing the account's email: only once a code sent to the new address comes back.

The code follows the rules of every emailed code (codes): 6 digits kept as an HMAC bound to the
purpose and the new address, 5 attempts, the signup code's lifetime, the shared sending limits and
daily failure budget. A newer code for the same address voids the older one, whoever asked.

The duplicate rule applies to the new address. With duplicates off and the address already used
by another account, the screen still says a code was sent (no account enumeration); the email
there says the address is taken, and confirming fails with a neutral message. The unique
Account.exclusive_email index settles two accounts confirming one address at once. The old
address is told about the change in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from portal_app.accounts import choices, code_budget, codes
from portal_app.accounts.codes import CodeCheck, CodeStatus
from portal_app.accounts.models import Account, AccountPreference, LoginTicket, UserSession
from portal_app.accounts.sessions import NOT_SIGNED_IN, SessionInfo, signed_in_account
from portal_app.accounts.throttle import describe_wait
from portal_app.accounts.validation import clean_code
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings
from portal_app.profile.models import EmailChange

EMAIL_CHANGE_PURPOSE = "email_change"
CODE_TEMPLATE = "email_change_code"
NOTICE_TEMPLATE = "email_changed_notice"
# The page keeps offering the code box (and "Send a new code") this long after the code expires.
PENDING_GRACE = timedelta(hours=1)

NO_CHANGE_WAITING = "There is no email change waiting for a code. Enter the new address under Email and save."
CANNOT_CHANGE = "Your email can't be changed to this address. Try a different one."


def code_lifetime() -> timedelta:
    return timedelta(minutes=get_settings().signup_code_minutes)


def _too_many_codes(wait: timedelta) -> str:
    return f"You asked for several codes just now. Try again in {describe_wait(wait)}."


def _paused(until: datetime) -> str:
    return f"Codes for this address are paused until {until:%H:%M} UTC after too many wrong entries. Try again later."


def _duplicates_allowed(session: Session) -> bool:
    business = session.get(Business, BUSINESS_ID)
    return business is not None and business.allow_duplicate_contacts


def _used_by_another_account(session: Session, *, account_id: int, email: str) -> bool:
    return (
        session.exec(select(Account.id).where(Account.email == email, Account.id != account_id).limit(1)).first()
        is not None
    )


def pending_change(session: Session, account_id: int) -> EmailChange | None:
    """The account's email change still waiting for its code, or None."""
    pending = session.get(EmailChange, account_id)
    if pending is None or pending.expires_at <= clock.now():
        return None
    return pending


def code_expiry(session: Session, pending: EmailChange) -> datetime | None:
    """When the code for the pending change stops working (None once it is dead), for the page."""
    return codes.live_code_expiry(session, purpose=EMAIL_CHANGE_PURPOSE, email=pending.new_email)


def _send_code(session: Session, *, account_id: int, new_email: str, ip: object) -> None:
    """Check the sending limits, then issue a code to `new_email` and put its email in the outbox.

    Raises FieldError (field "email") when a limit refuses it or code entry for the address is locked.
    """
    locked_until = code_budget.locked_until(session, new_email)
    if locked_until is not None:
        raise FieldError("email", _paused(locked_until))
    client_ip = clean_ip(ip)
    wait = codes.send_wait(session, email=new_email, ip=client_ip)
    if wait is not None:
        raise FieldError("email", _too_many_codes(wait))
    lifetime = code_lifetime()
    code = codes.issue_code(session, purpose=EMAIL_CHANGE_PURPOSE, email=new_email, lifetime=lifetime)
    codes.record_send(session, email=new_email, ip=client_ip)
    already_used = not _duplicates_allowed(session) and _used_by_another_account(
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


def start(session: Session, *, account_id: int, new_email: str, ip: object) -> None:
    """Ask to move the account to `new_email` (already normalised), in the caller's transaction.

    Replaces an earlier pending change. Raises FieldError("email") when a sending limit refuses the code.
    """
    _send_code(session, account_id=account_id, new_email=new_email, ip=ip)
    now = clock.now()
    values = {"new_email": new_email, "requested_at": now, "expires_at": now + code_lifetime() + PENDING_GRACE}
    db.upsert(session, EmailChange, key={"account_id": account_id}, values=values)


def resend_code(signed_in: SessionInfo | None, *, ip: object) -> str:
    """Send a new code for the pending change (earlier ones stop working); returns the address.

    Raises FieldError("code") when nothing is pending or a sending limit refuses it, PermissionError
    when the session is unknown or over.
    """
    _info, account = signed_in_account(signed_in)
    with db.write_session() as session:
        pending = pending_change(session, account.id)
        if pending is None:
            raise FieldError("code", NO_CHANGE_WAITING)
        try:
            _send_code(session, account_id=account.id, new_email=pending.new_email, ip=ip)
        except FieldError as error:
            raise FieldError("code", error.message) from None
        pending.expires_at = clock.now() + code_lifetime() + PENDING_GRACE
        session.add(pending)
        return pending.new_email


def cancel(signed_in: SessionInfo | None) -> None:
    """Keep the current email: forget the pending change (its code can no longer change anything)."""
    _info, account = signed_in_account(signed_in)
    with db.write_session() as session:
        session.exec(delete(EmailChange).where(EmailChange.account_id == account.id))


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


def _notify_old_address(session: Session, account: Account, *, old_email: str, new_email: str) -> None:
    now = clock.now()
    business = session.get(Business, BUSINESS_ID)
    outbox.enqueue(
        session,
        to=old_email,
        template=NOTICE_TEMPLATE,
        context={
            "full_name": account.full_name,
            "old_email": old_email,
            "new_email": new_email,
            "changed_at": code_budget.describe_moment(now),
            "support_email": business.support_email if business else "",
        },
    )


def _apply(session: Session, *, account_id: int, session_id: int, new_email: str) -> bool:
    """Move the account to the proven address; False when the duplicate rule forbids it.

    Raises IntegrityError (on flush) when another account claimed the address exclusively meanwhile.
    """
    if session.get(UserSession, session_id) is None:
        raise PermissionError(NOT_SIGNED_IN)
    pending = session.get(EmailChange, account_id)
    if pending is None or pending.new_email != new_email:
        raise FieldError("code", codes.describe_problem(CodeCheck(CodeStatus.NO_CODE)))
    account = session.get(Account, account_id)
    if account is None:
        raise PermissionError(NOT_SIGNED_IN)
    duplicates_allowed = _duplicates_allowed(session)
    if not duplicates_allowed and _used_by_another_account(session, account_id=account_id, email=new_email):
        return False
    old_email = account.email
    account.email = new_email
    account.exclusive_email = None if duplicates_allowed else new_email
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
    _notify_old_address(session, account, old_email=old_email, new_email=new_email)
    return True


def confirm(signed_in: SessionInfo | None, code: object) -> str:
    """Check the code sent to the new address and make it the account's email; returns the new email.

    Raises FieldError("code"): malformed, wrong, dead or expired code, code entry locked, nothing
    pending, or the address cannot be used (CANNOT_CHANGE, the same words whatever the reason).
    PermissionError when the session is unknown or over.
    """
    info, account = signed_in_account(signed_in)
    digits = clean_code(code)
    with db.read_session() as session:
        pending = pending_change(session, account.id)
    if pending is None:
        raise FieldError("code", NO_CHANGE_WAITING)
    new_email = pending.new_email
    check = codes.check_code(purpose=EMAIL_CHANGE_PURPOSE, email=new_email, code=digits)
    if check.status is not CodeStatus.OK:
        raise FieldError("code", codes.describe_problem(check))
    try:
        with db.write_session() as session:
            changed = _apply(session, account_id=account.id, session_id=info.id, new_email=new_email)
    except IntegrityError:
        changed = False
    if not changed:
        _drop_pending(account.id, new_email)
        raise FieldError("code", CANNOT_CHANGE)
    return new_email
