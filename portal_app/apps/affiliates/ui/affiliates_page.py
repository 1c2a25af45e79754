"""/apps/affiliates: the entry page of Affiliate Manager."""

import reflex as rx

from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.registry import get_app
from portal_app.shell.ui.app_frame import entry_page


def affiliates_page() -> rx.Component:
    return entry_page(
        get_app(APP_KEY),
        coming_next="When the business makes you an affiliate, your links, referrals and commissions appear here.",
    )
