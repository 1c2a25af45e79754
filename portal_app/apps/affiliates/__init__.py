"""Affiliate Manager: a person's referral links, the customers they referred, the commissions those earned
them and the payouts they received; the business's campaigns, approvals and payouts.

Tables in models.py (money in integer minor units, with its currency). Services: programme.py (who
is an affiliate, their code, the campaigns), ledger.py (sales, commissions and their states,
payouts, totals computed in SQL), webhook.py (the shop's signed sales and refunds), links.py
(/r/<code> and ?ref=: clicks and the referral cookie), attribution.py (a signup through a link
becomes a referral). Pages in ui/.
"""

from portal_app.apps.affiliates import service
from portal_app.apps.registry import AppPage, ChildApp, Setting, register

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
        settings=(
            Setting(
                "attribution",
                "Which referral link counts",
                "choice",
                "first_click",
                help="When a visitor followed several affiliates' links before signing up: the first one "
                "(first_click) or the most recent one (last_click) gets the referral.",
                choices=("first_click", "last_click"),
            ),
            Setting(
                "mask_emails",
                "Mask referred customers' emails",
                "bool",
                True,
                help="Affiliates see a***@example.com instead of the customer's address.",
            ),
            Setting(
                "redirect_hosts",
                "Sites referral links may lead to",
                "text",
                "",
                help="Host names, separated by commas (e.g. shop.example.com). A link /r/CODE?to=https://... "
                "goes there only when its host is listed; anything else goes to the signup page.",
                max_length=500,
            ),
        ),
    )
)
