"""Login with an emailed code (and the magic link sent with it), answering alike whether or not an account exists.

Asking for a code costs the same limits, rate events and work for every email; only an email with
an account gets one. Entering a code for an email that has none answers as a code asked for at the
same moment would: wrong with attempts counting down, dead after five, expired after ten minutes.

A code is only checked in the browser that asked for it (its binding cookie, "portal_device"), or that
opened the code-entry link of the invitation that carried it: the code's *flow*. Anywhere else the answer
is "ask for a code first", the same for every email, and nothing is compared or counted, so probing
without asking can neither tell an invited account from no account, nor use up someone's code, nor lock
anyone out. Asking voids the earlier code (and flow), emails the person, and is limited (codes.py).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from portal_app.accounts import choices, code_budget, codes, throttle
from portal_app.accounts.codes import CodeCheck, CodeStatus
from portal_app.accounts.models import Account, EmailCode
from portal_app.accounts.validation import clean_code, normalize_email, safe_next_path
from portal_app.apps import hooks
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.email.models import OutboxEmail
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY

LOGIN_PURPOSE = "login"
LOGIN_TEMPLATE = "login_code"
# One event per request that would have sent a login code, for known and unknown emails alike.
CODE_REQUESTED = "login_code_request"
# One event per browser allowed to enter the email's newest code, keyed by a digest of email and browser.
CODE_FLOW = "login_code_flow"
ENTRY_PURPOSE = "login_code_entry"


def login_code_lifetime() -> timedelta:
    return timedelta(minutes=get_settings().login_code_minutes)


def magic_link_url(token: str) -> str:
    """Always from the configured public URL: a request's Host header could point the link elsewhere."""
    return f"{get_settings().public_url}/magic?token={token}"


def _too_many_codes(wait: timedelta) -> str:
    return f"You asked for several codes just now. Try again in {throttle.describe_wait(wait)}."


def _magic_links_enabled(session: Session) -> bool:
    business = session.get(Business, BUSINESS_ID)
    return business is None or business.magic_links_enabled


def _accounts_on(session: Session, email: str) -> list[Account]:
    return list(session.exec(select(Account).where(Account.email == email).order_by(col(Account.id))))


@dataclass(frozen=True)
class SentCode:
    expires_at: datetime
    with_link: bool


def send_sign_in_code(session: Session, *, email: str, lifetime: timedelta, template: str, context: dict) -> SentCode:
    """Issue a login code (and a magic link when the business allows them) and put the email in the outbox.

    Inside the caller's transaction; the template gets `code` and `link` (None without a link) on
    top of `context`. A newer login code for the email voids this one and its link.
    """
    link_token = tokens.new_token() if _magic_links_enabled(session) else None
    code = codes.issue_code(
        session,
        purpose=LOGIN_PURPOSE,
        email=email,
        lifetime=lifetime,
        link_token_hash=tokens.hash_token(link_token) if link_token else None,
    )
    link = magic_link_url(link_token) if link_token else None
    outbox.enqueue(session, to=email, template=template, context={**context, "code": code, "link": link})
    return SentCode(expires_at=clock.now() + lifetime, with_link=link is not None)


def _work_of_a_send(session: Session, email: str, lifetime: timedelta, context: dict) -> None:
    """What sending costs, for an unknown email: the same code, link, rendering and rows as a real send,
    the rows taken back in the same transaction, so the answer takes as long as a known email's
    (benchmarks/enumeration_timing.py measures it)."""
    send_sign_in_code(session, email=email, lifetime=lifetime, template=LOGIN_TEMPLATE, context=context)
    session.flush()
    session.exec(delete(OutboxEmail).where(OutboxEmail.to_email == email, OutboxEmail.template == LOGIN_TEMPLATE))
    session.exec(delete(EmailCode).where(EmailCode.email == email, EmailCode.purpose == LOGIN_PURPOSE))


def _flow_key(email: str, device_hash: str) -> str:
    return tokens.hash_token(f"{email}|{device_hash}")


def _open_flow(session: Session, email: str, device: object) -> None:
    device_hash = tokens.hash_presented_token(device)
    if device_hash is not None:
        throttle.record(session, CODE_FLOW, _flow_key(email, device_hash))


def has_flow(session: Session, email: str, device: object) -> bool:
    """Whether this browser may enter the email's newest code: it asked for it (or opened its invitation's
    link) no earlier than the newest request for the email."""
    device_hash = tokens.hash_presented_token(device)
    if device_hash is None:
        return False
    opened = throttle.newest_at(session, CODE_FLOW, _flow_key(email, device_hash))
    requested = throttle.newest_at(session, CODE_REQUESTED, email)
    return opened is not None and requested is not None and opened >= requested


def entry_token(email: str, requested_at: datetime) -> str:
    """The code-entry link's proof that its email was received: a MAC of the email and the request's time
    (a later request for the email makes it stale, as it voids the code)."""
    return tokens.code_hmac(ENTRY_PURPOSE, email, requested_at.isoformat())


def open_entry_link(*, email: object, token: object, device: object) -> bool:
    """The invitation's code-entry link opened in this browser: let it enter the email's code. False (and
    nothing recorded) for a stale or wrong token."""
    try:
        address = normalize_email(email)
    except FieldError:
        return False
    if not isinstance(token, str) or len(token) != 64:
        return False
    with db.write_session() as session:
        requested = throttle.newest_at(session, CODE_REQUESTED, address)
        if requested is None or not hmac.compare_digest(entry_token(address, requested), token):
            return False
        _open_flow(session, address, device)
    return True


def request_login_code(*, email: object, ip: object, device: object = None) -> str:
    """Email a login code (and link) if an account uses this email; returns the normalised email.

    For the page's answer "If an account exists for <email>, we sent a code". Known and unknown
    emails pass the same limits and leave the same rate events. `device` (the browser's binding cookie)
    is the one browser that may then enter the code. While code entry for the email is locked from the
    client's network (code_budget) nothing is sent, with the same answer.
    Raises FieldError("email"): not an email address, or a sending limit (same text for every email).
    """
    address = normalize_email(email)
    client_ip = clean_ip(ip)
    lifetime = login_code_lifetime()
    context = {"expires_minutes": get_settings().login_code_minutes}
    with db.write_session() as session:
        if code_budget.locked_until(session, address, client_ip) is not None:
            return address
        wait = codes.send_wait(session, email=address, ip=client_ip)
        if wait is not None:
            raise FieldError("email", _too_many_codes(wait))
        codes.record_send(session, email=address, ip=client_ip)
        throttle.record(session, CODE_REQUESTED, address)
        _open_flow(session, address, device)
        if _accounts_on(session, address):
            send_sign_in_code(session, email=address, lifetime=lifetime, template=LOGIN_TEMPLATE, context=context)
        else:
            _work_of_a_send(session, address, lifetime, context)
    return address


def _as_if_a_code_was_sent(email: str) -> CodeCheck:
    """The answer for an email with no live login code: that of a code sent at the newest request.

    An unknown email never has a code; this keeps its answers (attempts left, dead, expired) the
    same as a known email's, so guessing codes cannot tell whether an account exists.
    """
    with db.read_session() as session:
        requested_at = throttle.newest_at(session, CODE_REQUESTED, email)
        if requested_at is None:
            return CodeCheck(CodeStatus.NO_CODE)
        if requested_at + login_code_lifetime() <= clock.now():
            return CodeCheck(CodeStatus.EXPIRED)
        misses = code_budget.failures_since(session, purpose=LOGIN_PURPOSE, email=email, since=requested_at)
    attempts_left = get_settings().code_max_attempts - misses
    if attempts_left <= 0:
        return CodeCheck(CodeStatus.TOO_MANY_ATTEMPTS)
    return CodeCheck(CodeStatus.WRONG, attempts_left)


def sign_in_mailbox_owner(
    session: Session, *, email: str, auth_method: str, next_path: object, origin: hooks.AccountOrigin | None = None
) -> str | None:
    """Sign in after the mailbox was proven: every account on the email, oldest first; None if there is none.

    Inside the caller's transaction. Proving the mailbox verifies the email of every account on it
    (an invited account becomes verified at its first code login: its person has arrived, so apps hear
    "account_created" then, with the browser's `origin`, as for a signup). Returns finish_sign_in's ticket.
    """
    accounts = _accounts_on(session, email)
    if not accounts:
        return None
    now = clock.now()
    for account in accounts:
        if account.email_verified_at is None:
            account.email_verified_at = now
            session.add(account)
            activity.record(
                session, account_id=account.id, app_key=PORTAL_APP_KEY, kind="email_verified", summary=email
            )
            hooks.fire(session, "account_created", account.id, origin=origin)
    return choices.finish_sign_in(
        session,
        email=email,
        account_ids=[account.id for account in accounts],
        auth_method=auth_method,
        peer_scope=choices.EMAIL_SCOPE,
        next_path=safe_next_path(next_path),
    )


def login_with_code(
    *,
    email: object,
    code: object,
    device: object = None,
    ip: object = "",
    next_path: object = "/",
    origin: hooks.AccountOrigin | None = None,
) -> str:
    """Check an emailed login code and sign in; returns a session ticket, or a chooser ticket for several accounts.

    Raises FieldError("email") for an invalid email, FieldError("code") for a malformed, wrong,
    dead or expired code, a browser (`device`) that did not ask for it, or while code entry for the
    email is locked from the client's network (`ip`).
    """
    address = normalize_email(email)
    digits = clean_code(code)
    with db.read_session() as session:
        allowed = has_flow(session, address, device)
    if not allowed:
        raise FieldError("code", codes.describe_problem(CodeCheck(CodeStatus.NOT_REQUESTED)))
    client_ip = origin.ip if origin is not None and not ip else clean_ip(ip)
    check = codes.check_code(purpose=LOGIN_PURPOSE, email=address, code=digits, ip=client_ip)
    if check.status is CodeStatus.NO_CODE:
        check = _as_if_a_code_was_sent(address)
    if check.status is not CodeStatus.OK:
        raise FieldError("code", codes.describe_problem(check))
    with db.write_session() as session:
        ticket = sign_in_mailbox_owner(session, email=address, auth_method="code", next_path=next_path, origin=origin)
    if ticket is None:
        raise FieldError("code", codes.describe_problem(CodeCheck(CodeStatus.NO_CODE)))
    return ticket
