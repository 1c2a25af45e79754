"""Confirming a sensitive change with a code to the account's email (a payout address, say), under the
same rules as every other code of the portal (accounts/codes.py): 6 digits kept only as an HMAC,
few attempts, single use, limited sending per address and per IP, the daily failure budget.

    expires = confirm.send_code(account_id, app_key, "change where your payouts go", ip=...)
    confirm.check_code(account_id, app_key, code)        # FieldError("code") unless it is right

The code is bound to the app (its purpose is "app:<key>") and to the account's current email, so
a code for one app, or sent before the email changed, confirms nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal_app.accounts import code_budget, codes
from portal_app.accounts.codes import CodeStatus
from portal_app.accounts.models import Account
from portal_app.accounts.throttle import describe_wait
from portal_app.apps import registry
from portal_app.email import outbox
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings

TEMPLATE = "app_confirm_code"


def _purpose(app_key: str) -> str:
    if registry.get_app(app_key) is None:
        raise ValueError(f"unknown app {app_key!r}")
    return f"app:{app_key}"


def _email(session, account_id: int) -> str:
    account = session.get(Account, account_id)
    if account is None or account.disabled_at is not None:
        raise PermissionError("no such account")
    return account.email


def send_code(account_id: int, app_key: str, action: str, *, ip: object) -> datetime:
    """Email a code that confirms `action` ("change where your payouts go") to the account; when it expires.

    FieldError("code") when a sending limit refuses it or code entry for the address is paused.
    """
    purpose = _purpose(app_key)
    lifetime = timedelta(minutes=get_settings().signup_code_minutes)
    with db.write_session() as session:
        email = _email(session, account_id)
        locked_until = code_budget.locked_until(session, email)
        if locked_until is not None:
            raise FieldError(
                "code", f"Codes for your address are paused until {locked_until:%H:%M} UTC. Try again later."
            )
        client_ip = clean_ip(ip)
        wait = codes.send_wait(session, email=email, ip=client_ip)
        if wait is not None:
            raise FieldError("code", f"You asked for several codes just now. Try again in {describe_wait(wait)}.")
        code = codes.issue_code(session, purpose=purpose, email=email, lifetime=lifetime)
        codes.record_send(session, email=email, ip=client_ip)
        outbox.enqueue(
            session,
            to=email,
            template=TEMPLATE,
            context={
                "code": code,
                "action": action,
                "app_title": registry.get_app(app_key).title,
                "expires_minutes": get_settings().signup_code_minutes,
            },
        )
        return clock.now() + lifetime


def check_code(account_id: int, app_key: str, code: object) -> None:
    """Spend the code (right: used up; wrong: one attempt gone); FieldError("code") saying what went wrong."""
    purpose = _purpose(app_key)
    text = code.strip().replace(" ", "") if isinstance(code, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) == 6):
        raise FieldError("code", "Enter the 6-digit code from the email.")
    with db.read_session() as session:
        email = _email(session, account_id)
    check = codes.check_code(purpose=purpose, email=email, code=text)
    if check.status is not CodeStatus.OK:
        raise FieldError("code", codes.describe_problem(check))
