"""Affiliate Manager: a person's referral links, the customers they referred, the commissions those earned
them and the payouts they received; the business's campaigns, approvals and payouts.

Tables in models.py (money in integer minor units, with its currency). Services: programme.py (who
is an affiliate, their code, the campaigns), ledger.py (sales, commissions and their states,
payouts, totals computed in SQL), webhook.py (the shop's signed sales and refunds), links.py
(/r/<code> and ?ref=: clicks and the referral cookie), attribution.py (a signup through a link
becomes a referral). Pages in ui/.
"""

from portal_app.apps.affiliates import dashboard, service
from portal_app.apps.registry import AdminPage, AppPage, ChildApp, Setting, register

register(
    ChildApp(
        key=service.APP_KEY,
        title="Affiliate Manager",
        deletion_removes=("your affiliate links and payout details",),
        deletion_keeps=("commissions and payouts already made to you as an affiliate, under your affiliate code only",),
        icon="handshake",
        route="/apps/affiliates",
        description="Your affiliate links, the customers you referred, and the commissions they earned you.",
        pages=(
            AppPage(
                route="/apps/affiliates",
                title="Affiliate Manager",
                page="portal_app.apps.affiliates.ui.affiliates_page:affiliates_page",
                on_load="portal_app.apps.affiliates.ui.affiliates_state:AffiliatesState.load",
            ),
        ),
        summary=dashboard.summary,
        activity_kinds=service.ACTIVITY_KINDS,
        order=30,
        demo_accounts=("second",),
        demo_data="portal_app.apps.affiliates.demo_affiliates:add_demo_affiliates",
        http_routes="portal_app.apps.affiliates.routes:routes",
        root_routes="portal_app.apps.affiliates.routes:root_routes",
        root_prefix="/r",
        landing_params={"ref": "portal_app.apps.affiliates.links:landing_cookies"},
        hooks={
            "account_created": "portal_app.apps.affiliates.attribution:account_created",
            "account_deleted": "portal_app.apps.affiliates.forget:account_deleted",
        },
        # The business's pages: the overview first (the /admin menu links to it), then one per task.
        admin_pages=(
            AdminPage(
                route="/admin/apps/affiliates",
                title="Affiliate Manager",
                page="portal_app.apps.affiliates.ui.admin_overview_page:affiliates_overview_admin_page",
                on_load="portal_app.apps.affiliates.ui.admin_overview_state:AffiliatesOverviewAdminState.load",
            ),
            AdminPage(
                route="/admin/apps/affiliates/campaigns",
                title="Affiliate campaigns",
                page="portal_app.apps.affiliates.ui.admin_campaigns_page:affiliates_campaigns_admin_page",
                on_load="portal_app.apps.affiliates.ui.admin_campaigns_state:AffiliatesCampaignsAdminState.load",
            ),
            AdminPage(
                route="/admin/apps/affiliates/affiliates",
                title="Affiliates",
                page="portal_app.apps.affiliates.ui.admin_affiliates_page:affiliates_list_admin_page",
                on_load="portal_app.apps.affiliates.ui.admin_affiliates_state:AffiliatesListAdminState.load",
            ),
            AdminPage(
                route="/admin/apps/affiliates/commissions",
                title="Affiliate commissions",
                page="portal_app.apps.affiliates.ui.admin_commissions_page:affiliates_commissions_admin_page",
                on_load="portal_app.apps.affiliates.ui.admin_commissions_state:AffiliatesCommissionsAdminState.load",
            ),
            AdminPage(
                route="/admin/apps/affiliates/payouts",
                title="Affiliate payouts",
                page="portal_app.apps.affiliates.ui.admin_payouts_page:affiliates_payouts_admin_page",
                on_load="portal_app.apps.affiliates.ui.admin_payouts_state:AffiliatesPayoutsAdminState.load",
            ),
            AdminPage(
                route="/admin/apps/affiliates/sales",
                title="Affiliate sales and webhook",
                page="portal_app.apps.affiliates.ui.admin_sales_page:affiliates_sales_admin_page",
                on_load="portal_app.apps.affiliates.ui.admin_sales_state:AffiliatesSalesAdminState.load",
            ),
        ),
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
