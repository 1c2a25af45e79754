"""The state of /admin/apps/affiliates/commissions: commissions by state, newest first, and staff's decisions on
them: approve or reject those ticked (or every one shown), or one row at a time.

Every handler gates first. Ids come from the page as strings of digits (checkboxes, buttons, a hidden
field) and are parsed with parse_id; a tick is kept only for a row this tab shows, and the services
decide again on each id (ledger.approve / ledger.reject refuse with why). Where the next page starts
is kept in a backend var."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.affiliates import admin_views, ledger
from portal_app.apps.affiliates.models import COMMISSION_STATUSES
from portal_app.apps.affiliates.money import format_money
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.affiliates.ui.admin_common import STATUS_NAMES, day_text, moment_text
from portal_app.kernel.errors import FormErrors
from portal_app.shell.ui.base_state import form_text, parse_id

DEFAULT_STATUS = "pending"
# The states whose commissions staff can still decide on (the page shows the ticks there).
DECIDABLE = ("pending", "approved")
NOTHING_CHOSEN = "Tick at least one commission first."
GONE = "That commission is not on this page any more. The list is up to date now."


@dataclasses.dataclass
class CommissionRow:
    id: int = 0
    id_text: str = ""
    # "commission 12 of $4.00": the row's name in its controls' labels (unique on the page).
    label: str = ""
    created: str = ""
    affiliate: str = ""
    affiliate_email: str = ""
    code: str = ""
    amount: str = ""
    status: str = ""
    status_name: str = ""
    sale: str = ""
    campaign: str = ""
    note: str = ""
    may_approve: bool = False
    may_reject: bool = False
    # Why the last decision left it as it is ("" when it was not refused).
    refused: str = ""


@dataclasses.dataclass
class RefusedRow:
    id: int = 0
    label: str = ""
    why: str = ""


def _note(item: admin_views.CommissionItem) -> str:
    if item.status == "pending":
        if item.may_approve:
            return "Refund window over: ready to approve."
        return f"Refund window ends {moment_text(item.approvable_at)}."
    if item.reason:
        return item.reason
    if item.decided_at is not None:
        return f"{STATUS_NAMES.get(item.status, item.status)} {day_text(item.decided_at)}."
    return ""


def _plural(count: int) -> str:
    return "1 commission" if count == 1 else f"{count} commissions"


class AffiliatesCommissionsAdminState(AppAdminState):
    commissions_loaded: bool = False
    commission_status: str = DEFAULT_STATUS
    commission_rows: list[CommissionRow] = []
    commissions_more: bool = False
    selected_ids: list[str] = []
    commissions_notice: str = ""
    commissions_error: str = ""
    selection_error: str = ""
    reject_reason_error: str = ""
    refused_rows: list[RefusedRow] = []
    reject_version: int = 0
    # The commission whose "Reject" dialog is open ("" when none is), and why its rejection was refused.
    reject_one_id: str = ""
    reject_one_error: str = ""
    _commissions_before: tuple | None = None
    _refused: dict[int, str] = {}

    @rx.var
    def all_shown_selected(self) -> bool:
        return bool(self.commission_rows) and all(row.id_text in self.selected_ids for row in self.commission_rows)

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected_ids)

    def _clear_page(self) -> None:
        self.commissions_loaded = self.commissions_more = False
        self.commission_status = DEFAULT_STATUS
        self.commission_rows, self.selected_ids, self.refused_rows = [], [], []
        self._commissions_before, self._refused = None, {}
        self._clear_messages()
        self._close_reject_one()

    def _clear_messages(self) -> None:
        self.commissions_notice = self.commissions_error = self.selection_error = self.reject_reason_error = ""
        self.refused_rows = []
        self._refused = {}

    def _close_reject_one(self) -> None:
        self.reject_one_id = self.reject_one_error = ""

    async def _show(self, *, more: bool = False) -> None:
        page = await asyncio.to_thread(
            admin_views.commissions_page,
            status=self.commission_status,
            before=self._commissions_before if more else None,
        )
        rows = []
        for item in page.items:
            amount = format_money(item.amount, item.currency)
            rows.append(
                CommissionRow(
                    id=item.id,
                    id_text=str(item.id),
                    label=f"commission {item.id} of {amount}",
                    created=day_text(item.created_at),
                    affiliate=item.affiliate_name,
                    affiliate_email=item.affiliate_email,
                    code=item.affiliate_code,
                    amount=amount,
                    status=item.status,
                    status_name=STATUS_NAMES.get(item.status, item.status),
                    sale=f"{item.sale_external_id}: {format_money(item.sale_amount, item.sale_currency)}",
                    campaign=item.campaign_name,
                    note=_note(item),
                    may_approve=item.may_approve,
                    may_reject=item.may_reject,
                    refused=self._refused.get(item.id, ""),
                )
            )
        self.commission_rows = [*self.commission_rows, *rows] if more else rows
        shown = {row.id_text for row in self.commission_rows}
        self.selected_ids = [value for value in self.selected_ids if value in shown]
        self._commissions_before = page.next_before
        self.commissions_more = page.next_before is not None
        self.commissions_loaded = True

    def _shown_id(self, value: object) -> int | None:
        """A commission id the page sent, when this tab shows that commission; None otherwise."""
        commission_id = parse_id(value)
        if commission_id is None or not any(row.id == commission_id for row in self.commission_rows):
            return None
        return commission_id

    def _label(self, commission_id: int) -> str:
        row = next((row for row in self.commission_rows if row.id == commission_id), None)
        return (
            f"Commission {commission_id}" if row is None else f"{row.label[:1].upper()}{row.label[1:]}, {row.affiliate}"
        )

    async def _after_decision(self, verb: str, decided: ledger.Decided) -> None:
        """Show the list as stored now, what changed, and every refused commission with why."""
        self.refused_rows = [
            RefusedRow(commission_id, self._label(commission_id), why) for commission_id, why in decided.refused.items()
        ]
        self._refused = dict(decided.refused)
        self.selected_ids = []
        await self._show()
        parts = [f"{verb} {_plural(decided.changed)}." if decided.changed else f"Nothing was {verb.lower()}."]
        if decided.refused:
            parts.append(f"{_plural(len(decided.refused))} could not be {verb.lower()}: see why below.")
        self.commissions_notice = " ".join(parts)

    # --- the list ------------------------------------------------------------------------------------------

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        asked = self.router.url.query_parameters.get("status", "")
        self.commission_status = asked if asked in COMMISSION_STATUSES else DEFAULT_STATUS
        await self._show()
        return None

    @rx.event
    async def filter_commissions(self, form_data: dict):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self._clear_messages()
        self._close_reject_one()
        status = form_text(form_data, "commission_status")
        self.commission_status = status if status in COMMISSION_STATUSES else DEFAULT_STATUS
        self.selected_ids = []
        await self._show()
        return None

    @rx.event
    async def older_commissions(self):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        if self._commissions_before is not None:
            await self._show(more=True)
        return None

    # --- ticks ---------------------------------------------------------------------------------------------

    @rx.event
    async def toggle_commission(self, commission_id: str, checked: bool):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self.selection_error = ""
        target = self._shown_id(commission_id)
        if target is None or not isinstance(checked, bool):
            return None
        others = [value for value in self.selected_ids if value != str(target)]
        self.selected_ids = [*others, str(target)] if checked else others
        return None

    @rx.event
    async def toggle_all_shown(self, checked: bool):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self.selection_error = ""
        if not isinstance(checked, bool):
            return None
        self.selected_ids = [row.id_text for row in self.commission_rows] if checked else []
        return None

    def _chosen(self) -> list[int]:
        """The ticked commissions this tab shows, as ids."""
        return [row.id for row in self.commission_rows if row.id_text in self.selected_ids]

    # --- decisions -----------------------------------------------------------------------------------------

    @rx.event
    async def approve_selected(self):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        chosen = self._chosen()
        if not chosen:
            self.selection_error = NOTHING_CHOSEN
            return None
        try:
            decided = await asyncio.to_thread(ledger.approve, staff.actor, chosen)
        except FormErrors as refused:
            self.selection_error = " ".join(refused.errors.values())
            return None
        await self._after_decision("Approved", decided)
        return None

    @rx.event
    async def reject_selected(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        chosen = self._chosen()
        reason = form_text(form_data, "reject_reason")
        if not chosen:
            self.selection_error = NOTHING_CHOSEN
            return None
        try:
            decided = await asyncio.to_thread(ledger.reject, staff.actor, chosen, reason)
        except FormErrors as refused:
            self.reject_reason_error = refused.errors.get("reason", "")
            self.selection_error = refused.errors.get("commission_ids", "")
            return None
        self.reject_version += 1
        await self._after_decision("Rejected", decided)
        return None

    @rx.event
    async def approve_one(self, commission_id: str):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        target = self._shown_id(commission_id)
        if target is None:
            await self._show()
            self.commissions_error = GONE
            return None
        decided = await asyncio.to_thread(ledger.approve, staff.actor, [target])
        await self._after_decision("Approved", decided)
        return None

    @rx.event
    async def reject_one_dialog(self, commission_id: str, is_open: bool):
        """A row's "Reject" dialog opening (its button) or closing (Escape, its cancel button)."""
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self._close_reject_one()
        if is_open is not True:
            return None
        target = self._shown_id(commission_id)
        if target is None:
            self.commissions_error = GONE
            return None
        self.reject_one_id = str(target)
        self.reject_version += 1
        return None

    @rx.event
    async def reject_one(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        self.reject_one_error = ""
        target = self._shown_id(form_text(form_data, "commission_id"))
        if target is None:
            self._close_reject_one()
            await self._show()
            self.commissions_error = GONE
            return None
        try:
            decided = await asyncio.to_thread(ledger.reject, staff.actor, [target], form_text(form_data, "reason"))
        except FormErrors as refused:
            self.reject_one_error = " ".join(refused.errors.values())
            return None
        self._close_reject_one()
        await self._after_decision("Rejected", decided)
        return None


__all__ = ["AffiliatesCommissionsAdminState", "CommissionRow", "RefusedRow"]
