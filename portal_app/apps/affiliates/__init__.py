"""Affiliate Manager: a person's affiliate links, the customers they referred and what they earned.

Only its entry page for now (what it is, and the person's summary); links, referrals and payouts
come in the app's own issue.
"""

from portal_app.apps.affiliates import service
from portal_app.apps.registry import AppPage, ChildApp, register

register(
    ChildApp(
        key=service.APP_KEY,
        title="Affiliate Manager",
        icon="handshake",
        route="/apps/affiliates",
        description="Your affiliate links, the customers you referred, and the commissions they earned you.",
        pages=(
            AppPage(
                route="/apps/affiliates",
                title="Affiliate Manager",
                page="portal_app.apps.affiliates.ui.affiliates_page:affiliates_page",
                shows_summary=True,
            ),
        ),
        summary=service.summary,
        activity_kinds=service.ACTIVITY_KINDS,
        order=30,
        demo_accounts=("second",),
    )
)
