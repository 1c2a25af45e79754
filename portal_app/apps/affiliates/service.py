"""What Affiliate Manager knows about a person, read from their timeline."""

from __future__ import annotations

from portal_app.apps.affiliates import models  # noqa: F401  (the app's tables)
from portal_app.apps.registry import SummaryCard
from portal_app.timeline import service as activity

APP_KEY = "affiliates"
ACTIVITY_KINDS = {
    "affiliate_joined": "Joined the affiliate programme",
    "referral_made": "Referred a customer",
}


def summary(account_id: int) -> SummaryCard:
    counts = activity.counts_by_kind(account_id, APP_KEY)
    referrals = counts.get("referral_made", 0)
    if counts.get("affiliate_joined", 0) == 0 and referrals == 0:
        return SummaryCard(headline="No referrals yet", details=("Customers you refer will appear here.",))
    if referrals == 0:
        return SummaryCard(headline="No referrals yet", details=("Share your affiliate link to refer a customer.",))
    return SummaryCard(
        headline="1 customer referred" if referrals == 1 else f"{referrals} customers referred",
        count=referrals,
    )
