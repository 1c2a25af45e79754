"""'Delete my account': confirmed by a code sent to the account's address, then everything goes in one
transaction.

What happens, in order, inside that transaction:
1. every app's "account_deleted" hook (apps/hooks.py) removes what it holds on the person, or detaches and
   anonymises what the business must keep (each app says which in ChildApp.deletion_keeps);
2. the audit log keeps its entries, with the account's email replaced by "deleted account #<id>";
3. the security log lines and emails about the address go, unless another account still uses the address;
4. the account row goes, and with it (the database cascades) its sessions, tickets, profile, app grants,
   timeline, security log, pending email change, data downloads and every app row that references it.
The data download files are deleted from disk after the commit, and the address gets one last email
saying the account is gone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from portal_app.accounts import code_budget, codes, sessions
from portal_app.accounts.models import Account, AccountChoice, EmailCode, PendingSignup, SecurityEvent
from portal_app.accounts.throttle import describe_wait
from portal_app.accounts.validation import clean_code
from portal_app.admin.models import AuditEntry
from portal_app.apps import hooks, registry
from portal_app.email import outbox
from portal_app.email.models import OutboxEmail
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings
from portal_app.privacy import data_export
from portal_app.privacy.models import DataExport

PURPOSE = "delete_acct"  # short: rate-event kinds add a prefix to a code's purpose
CODE_TEMPLATE = "account_delete_code"
DONE_TEMPLATE = "account_deleted"
CORE_GOES = ("your account, profile, sign-ins and security log", "your app access and your timeline")
CORE_STAYS = ("the business's audit log, without your email address",)


def what_goes() -> tuple[str, ...]:
    """What deleting removes, in the person's words: the core's part, then each app's (deletion_removes)."""
    return CORE_GOES + tuple(item for app in registry.all_apps() for item in app.deletion_removes)


def what_stays() -> tuple[str, ...]:
    """What the business keeps without personal data: the audit log, then each app's (deletion_keeps)."""
    return CORE_STAYS + tuple(item for app in registry.all_apps() for item in app.deletion_keeps)


def code_lifetime() -> timedelta:
    return timedelta(minutes=get_settings().login_code_minutes)


def send_code(signed_in: sessions.SessionInfo | None, *, ip: object) -> datetime:
    """Email a code that confirms the deletion to the account's address; when it expires. PermissionError
    without a live session; FieldError("code") when a sending limit refuses it."""
    _, account = sessions.signed_in_account(signed_in)
    client_ip = clean_ip(ip)
    with db.write_session() as session:
        locked_until = code_budget.locked_until(session, account.email, client_ip, purpose=PURPOSE)
        if locked_until is not None:
            raise FieldError("code", code_budget.lock_message(locked_until, "network", other_ways=False))
        wait = codes.send_wait(session, email=account.email, ip=client_ip)
        if wait is not None:
            raise FieldError("code", f"We sent a code just now. You can ask for another in {describe_wait(wait)}.")
        code = codes.issue_code(session, purpose=PURPOSE, email=account.email, lifetime=code_lifetime())
        codes.record_send(session, email=account.email, ip=client_ip)
        outbox.enqueue(
            session,
            to=account.email,
            template=CODE_TEMPLATE,
            context={
                "code": code,
                "expires_minutes": get_settings().login_code_minutes,
                "what_goes": what_goes(),
                "what_stays": what_stays(),
            },
        )
    return clock.now() + code_lifetime()


@dataclass(frozen=True)
class Deleted:
    account_id: int
    email: str


def delete_account(signed_in: sessions.SessionInfo | None, code: object, *, ip: object) -> Deleted:
    """Check the code, then delete the account (the module's docstring says what goes and what stays).
    PermissionError without a live session; FieldError("code") for a wrong, dead or malformed code."""
    info, account = sessions.signed_in_account(signed_in)
    client_ip = clean_ip(ip)
    digits = clean_code(code)
    check = codes.check_code(purpose=PURPOSE, email=account.email, code=digits, ip=client_ip)
    if check.status is not codes.CodeStatus.OK:
        raise FieldError("code", codes.describe_problem(check))
    with db.write_session() as session:
        if session.get(Account, info.account_id) is None:
            raise PermissionError(sessions.NOT_SIGNED_IN)
        files = [row.file_name for row in session.exec(select(DataExport).where(DataExport.account_id == account.id))]
        hooks.fire(session, "account_deleted", account.id)
        _anonymise_audit(session, account)
        shared = (
            session.exec(select(Account.id).where(Account.email == account.email, Account.id != account.id)).first()
            is not None
        )
        if not shared:
            _forget_address(session, account.email)
        session.exec(delete(Account).where(Account.id == account.id))
        outbox.enqueue(session, to=account.email, template=DONE_TEMPLATE, context={"what_stays": what_stays()})
    for name in files:
        if name:
            (data_export.folder() / name).unlink(missing_ok=True)
    return Deleted(account.id, account.email)


def _anonymise_audit(session: Session, account: Account) -> None:
    label = f"deleted account #{account.id}"
    entries = session.exec(
        select(AuditEntry).where(
            or_(col(AuditEntry.target).contains(account.email), col(AuditEntry.detail).contains(account.email))
        )
    ).all()
    for entry in entries:
        entry.target = entry.target.replace(account.email, label)
        detail = entry.detail.replace(json.dumps(account.email)[1:-1], label)
        entry.detail = detail.replace(account.email, label)
        session.add(entry)


def _forget_address(session: Session, email: str) -> None:
    """What is kept by address rather than by account: emails sent to it, codes, choices, signups, and the
    security log's failed attempts against it."""
    session.exec(delete(OutboxEmail).where(OutboxEmail.to_email == email))
    session.exec(delete(EmailCode).where(EmailCode.email == email))
    session.exec(delete(AccountChoice).where(AccountChoice.email == email))
    session.exec(delete(PendingSignup).where(PendingSignup.email == email))
    session.exec(delete(SecurityEvent).where(SecurityEvent.email == email))
