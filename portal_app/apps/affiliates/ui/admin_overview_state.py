"""The state of /admin/apps/affiliates: the programme at a glance, for staff. Reads only; gated first."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.affiliates import admin_views
from portal_app.apps.affiliates.money import format_money
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.affiliates.ui.admin_common import TotalsRow


class AffiliatesOverviewAdminState(AppAdminState):
    overview_loaded: bool = False
    overview_totals: list[TotalsRow] = []
    overview_affiliates: int = 0
    overview_clicks: int = 0
    overview_referrals: int = 0
    overview_sales: int = 0
    overview_pending: int = 0
    overview_approvable: int = 0
    overview_campaigns: int = 0
    overview_default: str = ""

    def _clear_page(self) -> None:
        self.overview_loaded = False
        self.overview_totals = []
        self.overview_affiliates = self.overview_clicks = self.overview_referrals = self.overview_sales = 0
        self.overview_pending = self.overview_approvable = self.overview_campaigns = 0
        self.overview_default = ""

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        view = await asyncio.to_thread(admin_views.programme_overview)
        self.overview_totals = [
            TotalsRow(
                currency=figure.currency,
                pending=format_money(figure.pending, figure.currency),
                approved=format_money(figure.approved, figure.currency),
                paid=format_money(figure.paid, figure.currency),
                reversed=format_money(figure.reversed, figure.currency),
            )
            for figure in view.totals
        ]
        self.overview_affiliates, self.overview_clicks = view.affiliates, view.clicks_30_days
        self.overview_referrals, self.overview_sales = view.referrals, view.sales
        self.overview_pending, self.overview_approvable = view.pending_commissions, view.approvable_commissions
        self.overview_campaigns = view.live_campaigns
        self.overview_default = f"{view.default_campaign}: {view.default_terms}"
        self.overview_loaded = True
        return None


__all__ = ["AffiliatesOverviewAdminState"]
