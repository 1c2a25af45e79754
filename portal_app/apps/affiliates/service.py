"""Affiliate Manager's key and the kinds of its timeline entries (its home card is dashboard.summary)."""

from __future__ import annotations

from portal_app.apps.affiliates import models  # noqa: F401  (the app's tables)

APP_KEY = "affiliates"
ACTIVITY_KINDS = {
    "affiliate_joined": "Joined the affiliate programme",
    "referral_made": "Referred a customer",
    "referral_signed_up": "Referral signed up",
    "commission_earned": "Commission earned",
    "commission_approved": "Commission approved",
    "payout_received": "Payout received",
}
