"""The state of /admin/apps/affiliates/campaigns: the programme's campaigns for staff: create, edit, make one the
default, archive. Every handler gates first; the campaign being edited is kept in a backend var, and a
slug a button sends is looked up by the service like any other input."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.affiliates import admin_views, programme
from portal_app.apps.affiliates.money import DEFAULT_CURRENCY, decimals
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.kernel.errors import FormErrors
from portal_app.shell.ui.base_state import form_text

FIELDS = (
    "name",
    "slug",
    "kind",
    "percent",
    "flat_amount",
    "currency",
    "recurring_months",
    "cookie_days",
    "approval_days",
)
TERM_FIELDS = tuple(field for field in FIELDS if field != "slug")
EDIT_PREFIX = "edit_"
NOTHING_CREATED = "Nothing was created. Correct the fields marked below."
NOTHING_SAVED = "Nothing was saved. Correct the fields marked below."
GONE = "That campaign is not there any more."
NEW_DEFAULTS = {
    "name": "",
    "slug": "",
    "kind": "percent",
    "percent": "20",
    "flat_amount": "",
    "currency": DEFAULT_CURRENCY,
    "recurring_months": "",
    "cookie_days": "30",
    "approval_days": "30",
}


@dataclasses.dataclass
class CampaignRow:
    slug: str = ""
    name: str = ""
    terms: str = ""
    cookie_days: int = 0
    approval_days: int = 0
    is_default: bool = False
    archived: bool = False
    referrals: int = 0
    link: str = ""


def _amount_text(amount: int, currency: str) -> str:
    """Minor units as a person types them: 4900 USD -> "49.00" (no symbol, no separators)."""
    if amount <= 0:
        return ""
    places = decimals(currency)
    return f"{Decimal(amount).scaleb(-places):.{places}f}"


def _form_values(view: programme.CampaignView) -> dict[str, str]:
    return {
        "name": view.name,
        "slug": view.slug,
        "kind": view.kind,
        "percent": programme.percent_text(view.percent_bp) if view.kind == "percent" else "",
        "flat_amount": _amount_text(view.flat_amount, view.currency),
        "currency": view.currency,
        "recurring_months": "" if view.recurring_months is None else str(view.recurring_months),
        "cookie_days": str(view.cookie_days),
        "approval_days": str(view.approval_days),
    }


class AffiliatesCampaignsAdminState(AppAdminState):
    campaigns_loaded: bool = False
    campaign_rows: list[CampaignRow] = []
    create_errors: dict[str, str] = dict.fromkeys(FIELDS, "")
    create_version: int = 0
    # The campaign being edited ("" for none), what its form starts with, and what was refused.
    edit_slug: str = ""
    edit_name: str = ""
    edit_values: dict[str, str] = dict.fromkeys(FIELDS, "")
    edit_errors: dict[str, str] = dict.fromkeys(FIELDS, "")
    edit_version: int = 0
    campaigns_notice: str = ""
    campaigns_error: str = ""
    _editing: str = ""

    def _clear_page(self) -> None:
        self.campaigns_loaded = False
        self.campaign_rows = []
        self.create_errors = dict.fromkeys(FIELDS, "")
        self._stop_editing()
        self.campaigns_notice = self.campaigns_error = ""

    def _stop_editing(self) -> None:
        self.edit_slug = self.edit_name = self._editing = ""
        self.edit_values = dict.fromkeys(FIELDS, "")
        self.edit_errors = dict.fromkeys(FIELDS, "")

    def _clear_messages(self) -> None:
        self.campaigns_notice = self.campaigns_error = ""
        self.create_errors = dict.fromkeys(FIELDS, "")
        self.edit_errors = dict.fromkeys(FIELDS, "")

    async def _show(self) -> list[programme.CampaignView]:
        views = await asyncio.to_thread(programme.list_campaigns)
        referrals = await asyncio.to_thread(admin_views.campaign_referrals)
        self.campaign_rows = [
            CampaignRow(
                slug=view.slug,
                name=view.name,
                terms=view.terms,
                cookie_days=view.cookie_days,
                approval_days=view.approval_days,
                is_default=view.is_default,
                archived=view.archived,
                referrals=referrals.get(view.slug, 0),
                link=f"/r/<code>/{view.slug}",
            )
            for view in views
        ]
        self.campaigns_loaded = True
        return views

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        await self._show()
        return None

    @rx.event
    async def create_campaign(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        values = {field: form_text(form_data, field) for field in FIELDS}
        try:
            slug = await asyncio.to_thread(programme.create_campaign, staff.actor, **values)
        except FormErrors as refused:
            self.create_errors = {field: refused.errors.get(field, "") for field in FIELDS}
            self.campaigns_notice = NOTHING_CREATED
            return None
        self.create_version += 1
        await self._show()
        self.campaigns_notice = f"Created the campaign at the address {slug}. Its links end in /{slug}."
        return None

    @rx.event
    async def start_edit(self, slug: str):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        self._stop_editing()
        views = await self._show()
        view = next((view for view in views if isinstance(slug, str) and view.slug == slug), None)
        if view is None:
            self.campaigns_error = GONE
            return None
        self._editing = self.edit_slug = view.slug
        self.edit_name = view.name
        self.edit_values = _form_values(view)
        self.edit_version += 1
        return None

    @rx.event
    async def cancel_edit(self):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self._clear_messages()
        self._stop_editing()
        return None

    @rx.event
    async def save_campaign(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        if not self._editing:
            self.campaigns_error = "Choose a campaign to edit first."
            return None
        values = {field: form_text(form_data, EDIT_PREFIX + field) for field in TERM_FIELDS}
        try:
            await asyncio.to_thread(programme.update_campaign, staff.actor, self._editing, **values)
        except FormErrors as refused:
            self.edit_errors = {field: refused.errors.get(field, "") for field in FIELDS}
            self.campaigns_notice = NOTHING_SAVED
            return None
        except LookupError:
            self._stop_editing()
            await self._show()
            self.campaigns_error = GONE
            return None
        name = values["name"].strip()
        self._stop_editing()
        await self._show()
        self.campaigns_notice = f"Saved {name}. The new terms apply to sales recorded from now on."
        return None

    async def _campaign_change(self, actor, change, slug: object, notice: str) -> None:
        """Run one change to a campaign, then show the list as stored with what happened (or why not)."""
        self._clear_messages()
        error = ""
        try:
            await asyncio.to_thread(change, actor, slug)
        except FormErrors as refused:
            notice, error = "", " ".join(refused.errors.values())
        except LookupError:
            notice, error = "", GONE
        if self._editing == slug and change is programme.archive and not error:
            self._stop_editing()
        await self._show()
        self.campaigns_notice, self.campaigns_error = notice, error

    def _name_of(self, slug: object) -> str:
        return next((row.name for row in self.campaign_rows if row.slug == slug), "the campaign")

    @rx.event
    async def make_default(self, slug: str):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        name = self._name_of(slug)
        await self._campaign_change(
            staff.actor, programme.set_default, slug, f"{name} is the default campaign now: new referrals join it."
        )
        return None

    @rx.event
    async def archive_campaign(self, slug: str):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        name = self._name_of(slug)
        await self._campaign_change(
            staff.actor,
            programme.archive,
            slug,
            f"Archived {name}: its links make no new referrals; its customers keep their terms.",
        )
        return None


__all__ = ["AffiliatesCampaignsAdminState", "CampaignRow"]
