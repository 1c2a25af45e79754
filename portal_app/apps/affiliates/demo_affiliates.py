"""Demo data for `portal seed-demo`: the second demo account is an affiliate with clicks, referred customers,
sales over the last eight months and commissions in every state (paid by one payout, approved, pending,
rejected, reversed by a refund), so its page shows totals and a chart on the first run.

Rows are written as they would have been over time (the services stamp everything "now"); the
figures keep the ledger's rules: paid commissions add up to their payout, and every total is a SUM.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from portal_app.apps.affiliates import figures, programme
from portal_app.apps.affiliates.models import Campaign, Click, Commission, Payout, Referral, Sale
from portal_app.kernel import clock

CUSTOMERS = (
    "maria.k@example.com",
    "tom.h@example.com",
    "li.wei@example.com",
    "sam.o@example.com",
    "ines.r@example.com",
)
# (customer index, days ago, amount in cents, commission state, reason)
SALES = (
    (0, 230, 12_000, "paid", ""),
    (1, 200, 8_000, "paid", ""),
    (0, 170, 12_000, "paid", ""),
    (2, 130, 25_000, "paid", ""),
    (1, 100, 8_000, "approved", ""),
    (3, 75, 15_000, "approved", ""),
    (2, 60, 25_000, "rejected", "The customer's payment was disputed."),
    (4, 40, 9_900, "reversed", "The sale was refunded."),
    (0, 20, 12_000, "pending", ""),
    (3, 9, 15_000, "pending", ""),
)
PAYOUT_DAYS_AGO = 110


def add_demo_affiliates(session: Session, accounts: list) -> None:
    now = clock.now()
    affiliate = programme.ensure_affiliate(session, accounts[1].id)
    campaign = programme.default_campaign(session)
    session.add(
        Campaign(
            slug="spring-launch",
            name="Spring launch",
            kind="flat",
            flat_amount=1_500,
            currency=campaign.currency,
            recurring_months=0,
            created_at=now - timedelta(days=90),
        )
    )
    for day in range(60):
        for visit in range((day * 7) % 3):
            session.add(
                Click(
                    affiliate_id=affiliate.id,
                    campaign_id=campaign.id,
                    visitor=f"demo{day:03d}{visit}",
                    created_at=now - timedelta(days=day, hours=visit * 5),
                )
            )
    referrals = []
    for index, email in enumerate(CUSTOMERS):
        referral = Referral(
            affiliate_id=affiliate.id,
            campaign_id=campaign.id,
            customer_email=email,
            source="signup",
            created_at=now - timedelta(days=240 - index * 40),
        )
        session.add(referral)
        referrals.append(referral)
    session.flush()
    paid: list[Commission] = []
    for number, (customer, days_ago, amount, state, reason) in enumerate(SALES, start=1):
        moment = now - timedelta(days=days_ago)
        sale = Sale(
            idempotency_key=f"demo-sale-{number}",
            external_id=f"DEMO-{1000 + number}",
            referral_id=referrals[customer].id,
            affiliate_id=affiliate.id,
            customer_email=CUSTOMERS[customer],
            amount=amount,
            refunded_amount=amount if state == "reversed" else 0,
            currency=campaign.currency,
            source="webhook",
            occurred_at=moment,
            created_at=moment,
        )
        session.add(sale)
        session.flush()
        commission = Commission(
            affiliate_id=affiliate.id,
            sale_id=sale.id,
            campaign_id=campaign.id,
            amount=amount * campaign.percent_bp // 10_000,
            currency=campaign.currency,
            status=state,
            reason=reason,
            approvable_at=moment + timedelta(days=campaign.approval_days),
            created_at=moment,
            decided_at=None if state == "pending" else moment + timedelta(days=campaign.approval_days),
        )
        session.add(commission)
        if state == "paid":
            paid.append(commission)
    payout = Payout(
        affiliate_id=affiliate.id,
        amount=sum(commission.amount for commission in paid),
        currency=campaign.currency,
        method="paypal",
        reference="PAYPAL-7H2K9",
        paid_on=(now - timedelta(days=PAYOUT_DAYS_AGO)).date(),
        created_at=now - timedelta(days=PAYOUT_DAYS_AGO),
    )
    session.add(payout)
    session.flush()
    for commission in paid:
        commission.payout_id = payout.id
        session.add(commission)
    affiliate.payout_method, affiliate.payout_details = "paypal", "dana.payouts@demo.example"
    session.add(affiliate)
    session.flush()
    # The rows above were written around the ledger: the programme's figures are counted from them.
    figures.recount(session)
