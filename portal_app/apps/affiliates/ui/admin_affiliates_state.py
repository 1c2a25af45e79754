"""The state of /admin/apps/affiliates/affiliates: every affiliate with their figures, found by name, email or
code, a page at a time. Gated first; where the next page starts is kept in a backend var, never taken
from the page."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.affiliates import admin_views
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.affiliates.ui.admin_common import day_text, money_list
from portal_app.shell.ui.base_state import form_text


@dataclasses.dataclass
class AffiliateRow:
    id: int = 0
    name: str = ""
    email: str = ""
    code: str = ""
    joined: str = ""
    referrals: int = 0
    pending: str = ""
    approved: str = ""
    paid: str = ""


class AffiliatesListAdminState(AppAdminState):
    affiliates_loaded: bool = False
    affiliate_rows: list[AffiliateRow] = []
    affiliates_more: bool = False
    # The search as last applied (shown back in the search box).
    affiliate_query: str = ""
    _affiliates_after: int | None = None

    def _clear_page(self) -> None:
        self.affiliates_loaded = self.affiliates_more = False
        self.affiliate_rows = []
        self.affiliate_query = ""
        self._affiliates_after = None

    async def _show(self, *, more: bool = False) -> None:
        page = await asyncio.to_thread(
            admin_views.affiliates_page,
            query=self.affiliate_query,
            after=self._affiliates_after if more else None,
        )
        rows = [
            AffiliateRow(
                id=item.id,
                name=item.name,
                email=item.email,
                code=item.code,
                joined=day_text(item.joined_at),
                referrals=item.referrals,
                pending=money_list(item.figures, "pending"),
                approved=money_list(item.figures, "approved"),
                paid=money_list(item.figures, "paid"),
            )
            for item in page.items
        ]
        self.affiliate_rows = [*self.affiliate_rows, *rows] if more else rows
        self._affiliates_after = page.next_after
        self.affiliates_more = page.next_after is not None
        self.affiliates_loaded = True

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        await self._show()
        return None

    @rx.event
    async def search_affiliates(self, form_data: dict):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self.affiliate_query = admin_views.clean_query(form_text(form_data, "affiliate_query"))
        await self._show()
        return None

    @rx.event
    async def more_affiliates(self):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        if self._affiliates_after is not None:
            await self._show(more=True)
        return None


__all__ = ["AffiliateRow", "AffiliatesListAdminState"]
