"""A signup through a referral link becomes a referral: the "account_created" hook.

The browser that signed up brings the app's cookies (hooks.AccountOrigin). A genuine referral cookie
within its campaign's window makes a Referral (source "signup", the new account's email, the
campaign) and a "referral_signed_up" entry on the affiliate's timeline. Refused: an affiliate
referring their own account or their own email, and an email (or account) already referred, which
stays with its first affiliate.

The hook runs inside the signup's transaction, under a savepoint: whatever goes wrong here is logged
and undone, and the signup itself always goes through.
"""

from __future__ import annotations

import logging

from sqlalchemy import or_
from sqlmodel import Session, select

from portal_app.accounts.models import Account
from portal_app.apps.affiliates.links import COOKIE_NAME, Referrer, live_referrer
from portal_app.apps.affiliates.models import Referral
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.hooks import AccountOrigin
from portal_app.kernel import clock
from portal_app.timeline import service as activity

log = logging.getLogger(__name__)


def account_created(session: Session, account_id: int, origin: AccountOrigin) -> None:
    """The hook: attribute the new account to the affiliate whose cookie its browser carried, if any."""
    raw = origin.cookies.get(COOKIE_NAME)
    if not raw:
        return
    try:
        with session.begin_nested():
            attribute(session, account_id, raw)
    except Exception:  # a referral must never cost anyone their signup
        log.exception("could not attribute account %s to a referral link", account_id)


def attribute(session: Session, account_id: int, raw_cookie: object) -> Referral | None:
    """Make the referral a cookie earns the account, in the caller's transaction; None when it earns none."""
    now = clock.now()
    account = session.get(Account, account_id)
    referrer = live_referrer(session, raw_cookie, now)
    if account is None or referrer is None:
        return None
    email = account.email.strip().lower()
    if _is_self_referral(session, referrer, account_id, email):
        return None
    taken = select(Referral.id).where(or_(Referral.account_id == account_id, Referral.customer_email == email))
    if session.exec(taken).first() is not None:
        return None
    referral = Referral(
        affiliate_id=referrer.affiliate.id,
        campaign_id=referrer.campaign.id,
        account_id=account_id,
        customer_email=email,
        source="signup",
        created_at=now,
    )
    session.add(referral)
    activity.record(
        session,
        account_id=referrer.affiliate.account_id,
        app_key=APP_KEY,
        kind="referral_signed_up",
        summary=f"Someone signed up through your link ({referrer.campaign.name})",
        at=now,
    )
    session.flush()
    return referral


def _is_self_referral(session: Session, referrer: Referrer, account_id: int, email: str) -> bool:
    if referrer.affiliate.account_id == account_id:
        return True
    own = session.get(Account, referrer.affiliate.account_id)
    return own is not None and own.email.strip().lower() == email
