"""Affiliate Manager's part of "Delete my account" (the SDK's account_deleted hook, in the deletion's
transaction): the business keeps the programme's money, the person's details go.

- As an affiliate: the affiliate row is detached from the account (its code, commissions, sales and payouts
  stay for the business's books and the programme's figures, shown as "Deleted account"); payout details
  go; the code stops working in links; later sales of the customers they referred earn nothing.
- As a referred customer: the referral and their sales no longer carry their email address.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from portal_app.accounts.models import Account
from portal_app.apps.affiliates.models import Affiliate, Referral, Sale


def account_deleted(session: Session, account_id: int) -> None:
    account = session.get(Account, account_id)
    if account is None:
        return
    session.exec(
        update(Affiliate)
        .where(Affiliate.account_id == account_id)
        .values(account_id=None, payout_method="", payout_details="")
    )
    referrals = session.exec(
        select(Referral).where((Referral.account_id == account_id) | (Referral.customer_email == account.email))
    ).all()
    for referral in referrals:
        referral.customer_email = f"deleted-{referral.id}"
        referral.account_id = None
        session.add(referral)
    session.exec(update(Sale).where(Sale.customer_email == account.email).values(customer_email=""))
