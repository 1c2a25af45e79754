"""Accounts the business creates for people it already gave an app: no signup, an emailed invitation with a login code.

The account has no password until its owner sets one; its email is verified by the first code or
link login. The invitation's code is an ordinary login code, so code login works at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.accounts import code_login, throttle
from portal_app.accounts.models import Account
from portal_app.accounts.validation import clean_full_name, normalize_email
from portal_app.apps import grants, registry
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError
from portal_app.kernel.settings import get_settings
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY

INVITE_TEMPLATE = "invitation"


@dataclass(frozen=True)
class InviteResult:
    account_id: int
    email: str
    full_name: str
    app_titles: tuple[str, ...]
    code_expires_at: datetime
    with_link: bool


def _clean_app_keys(raw: object) -> list[str]:
    if not isinstance(raw, (list, tuple)) or not raw:
        raise FieldError("apps", f"give at least one app; choose from: {', '.join(registry.app_choices())}")
    keys: list[str] = []
    for key in raw:
        try:
            grants.check_app_key(key)
        except ValueError as error:
            raise FieldError("apps", str(error)) from None
        if key not in keys:
            keys.append(key)
    return keys


def code_entry_url(email: str, entry: str) -> str:
    """The login page opened at "enter your code" for this email, so the invitation's code can be typed in
    the browser that opens it (`entry`: code_login.entry_token, the proof the invitation was received)."""
    return f"{get_settings().public_url}/login?{urlencode({'method': 'code', 'email': email, 'entry': entry})}"


def describe_hours(hours: int) -> str:
    """ "3 days", "1 day" or "36 hours": how long an invitation's code works, in words."""
    if hours % 24 == 0:
        days = hours // 24
        return "1 day" if days == 1 else f"{days} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def _already_exists(email: str) -> FieldError:
    return FieldError("email", f"an account already exists for {email}")


def invite(
    *,
    email: object,
    full_name: object,
    app_keys: list[str],
    also: Callable[[Session, Account], None] | None = None,
) -> InviteResult:
    """Create a passwordless account with these apps and email its invitation, in one transaction.

    Raises FieldError: "email" (not an address, or an account already uses it while the business
    allows one account per email), "full_name", or "apps" (none given, or one the portal does not know).
    `also` runs inside the same transaction once the account exists (the admin area's audit entry).
    """
    address = normalize_email(email)
    name = clean_full_name(full_name)
    keys = _clean_app_keys(app_keys)
    hours = get_settings().invite_code_hours
    titles = tuple(title for key, title in registry.app_choices().items() if key in keys)
    try:
        with db.write_session() as session:
            business = session.get(Business, BUSINESS_ID)
            duplicates_allowed = business is not None and business.allow_duplicate_contacts
            taken = session.exec(select(Account.id).where(Account.email == address).limit(1)).first() is not None
            if taken and not duplicates_allowed:
                raise _already_exists(address)
            now = clock.now()
            account = Account(
                email=address,
                exclusive_email=None if duplicates_allowed else address,
                full_name=name,
                password_hash=None,
                email_verified_at=None,
                created_at=now,
                invited_at=now,
            )
            session.add(account)
            # A parallel signup or invitation that took the email first fails this on exclusive_email.
            session.flush()
            activity.record(
                session,
                account_id=account.id,
                app_key=PORTAL_APP_KEY,
                kind="account_created",
                summary=f"Invited by {business.name}" if business is not None else "Invited",
            )
            for key in keys:
                grants.grant_app(session, account_id=account.id, app_key=key)
            if also is not None:
                also(session, account)
            # Like a request for a code: the invitation's code is the email's newest, entered through its link.
            requested = throttle.record(session, code_login.CODE_REQUESTED, address)
            entry = code_login.entry_token(address, requested.at)
            sent = code_login.send_sign_in_code(
                session,
                email=address,
                lifetime=timedelta(hours=hours),
                template=INVITE_TEMPLATE,
                context={
                    "full_name": name,
                    "app_titles": titles,
                    "expires_in": describe_hours(hours),
                    "code_entry_url": code_entry_url(address, entry),
                },
            )
    except IntegrityError:
        raise _already_exists(address) from None
    return InviteResult(
        account_id=account.id,
        email=address,
        full_name=name,
        app_titles=titles,
        code_expires_at=sent.expires_at,
        with_link=sent.with_link,
    )
