"""The affiliate's page state: thin, like every app state. Each handler gates first and asks dashboard.py,
which reads only this person's own affiliate data."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.apps.affiliates import dashboard
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.shell.ui.app_guard import AppAccessState
from portal_app.shell.ui.formatting import short_date

STATUS_NAMES = {
    "pending": "Pending",
    "approved": "Approved",
    "paid": "Paid",
    "rejected": "Rejected",
    "reversed": "Reversed (refunded)",
}
PAYOUT_FIELDS = ("method", "details", "code")
STATEMENT_FIELDS = ("start", "end")


@dataclasses.dataclass
class LinkRow:
    label: str = ""
    url: str = ""


@dataclasses.dataclass
class TotalsRow:
    currency: str = ""
    earned: str = ""
    pending: str = ""
    approved: str = ""
    paid: str = ""


@dataclasses.dataclass
class ReferralRow:
    who: str = ""
    when: str = ""
    how: str = ""


@dataclasses.dataclass
class CommissionRow:
    id: int = 0
    when: str = ""
    amount: str = ""
    status: str = ""
    status_name: str = ""
    note: str = ""


@dataclasses.dataclass
class PayoutRow:
    paid_on: str = ""
    amount: str = ""
    method: str = ""
    reference: str = ""


def _commission_row(line: dashboard.CommissionLine) -> CommissionRow:
    if line.status == "pending" and line.approvable_on is not None:
        note = f"Can be approved from {short_date(line.approvable_on)} (the refund window)"
    else:
        note = line.reason
    return CommissionRow(
        line.id, short_date(line.when), line.amount, line.status, STATUS_NAMES.get(line.status, line.status), note
    )


class AffiliatesState(AppAccessState):
    loaded: bool = False
    code: str = ""
    links: list[LinkRow] = []
    terms: str = ""
    cookie_days: int = 0
    approval_days: int = 0
    totals: list[TotalsRow] = []
    chart_currency: str = ""
    # One dict a month: "month" ("Sep 2026"), "short" ("Sep"), "amount" (a number), "label" (the money text),
    # "height" (the bar, "37%").
    chart: list[dict[str, str | float]] = []
    clicks_30_days: int = 0
    referral_count: int = 0
    referrals: list[ReferralRow] = []
    commission_rows: list[CommissionRow] = []
    commission_filter: str = ""
    older_commissions: str = ""
    payout_rows: list[PayoutRow] = []
    payout_method: str = ""
    payout_details: str = ""
    # Changing where payouts go: the form, then the code step. The new details wait server-side only.
    changing_payout: bool = False
    awaiting_code: bool = False
    _new_payout: tuple[str, str] = ("", "")
    payout_errors: dict[str, str] = dict.fromkeys(PAYOUT_FIELDS, "")
    statement_errors: dict[str, str] = dict.fromkeys(STATEMENT_FIELDS, "")
    notice: str = ""

    def _forget_app_data(self) -> None:
        super()._forget_app_data()
        self.loaded = False
        self.code = self.terms = self.chart_currency = self.payout_method = self.payout_details = ""
        self.links, self.totals, self.chart, self.referrals = [], [], [], []
        self.commission_rows, self.payout_rows = [], []
        self.commission_filter = self.older_commissions = self.notice = ""
        self._forget_payout_change()
        self.statement_errors = dict.fromkeys(STATEMENT_FIELDS, "")

    def _forget_payout_change(self) -> None:
        self.changing_payout = self.awaiting_code = False
        self._new_payout = ("", "")
        self.payout_errors = dict.fromkeys(PAYOUT_FIELDS, "")

    @rx.event
    async def load(self):
        """on_load of /apps/affiliates: the person's programme (their affiliate row is made the first time)."""
        principal, _ = await self._gate(APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self.notice = ""
        self._forget_payout_change()
        await self._show(principal.account_id)

    async def _show(self, account_id: int) -> None:
        view = await asyncio.to_thread(dashboard.overview, account_id)
        self.code, self.terms = view.code, view.terms
        self.cookie_days, self.approval_days = view.cookie_days, view.approval_days
        self.links = [LinkRow(link.label, link.url) for link in view.links]
        self.totals = [TotalsRow(t.currency, t.earned, t.pending, t.approved, t.paid) for t in view.totals]
        self.chart_currency = view.chart_currency
        top = max((m.amount for m in view.chart), default=0) or 1
        self.chart = [
            {
                "month": m.month,
                "short": m.month.split(" ")[0],
                "amount": m.amount,
                "label": m.label,
                "height": f"{max(0.0, m.amount) / top * 100:.1f}%",
            }
            for m in view.chart
        ]
        self.clicks_30_days, self.referral_count = view.clicks_30_days, view.referral_count
        self.referrals = [ReferralRow(r.who, short_date(r.when), r.how) for r in view.referrals]
        self.payout_method, self.payout_details = view.payout_method, view.payout_details
        await self._show_commissions(account_id)
        self.payout_rows = [
            PayoutRow(short_date(p.paid_on), p.amount, p.method, p.reference)
            for p in await asyncio.to_thread(dashboard.payouts, account_id)
        ]
        self.loaded = True

    async def _show_commissions(self, account_id: int, *, more: bool = False) -> None:
        page = await asyncio.to_thread(
            dashboard.commissions,
            account_id,
            status=self.commission_filter,
            before=self.older_commissions if more else None,
        )
        rows = [_commission_row(line) for line in page.items]
        self.commission_rows = [*self.commission_rows, *rows] if more else rows
        self.older_commissions = page.next_cursor or ""

    @rx.event
    async def filter_commissions(self, status: str):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        self.commission_filter = status if status in STATUS_NAMES else ""
        self.older_commissions = ""
        await self._show_commissions(principal.account_id)
        return None

    @rx.event
    async def more_commissions(self):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        if self.older_commissions:
            try:
                await self._show_commissions(principal.account_id, more=True)
            except LookupError:
                self.older_commissions = ""
        return None

    @rx.event
    async def copied(self, label: str):
        self.notice = "Copied your link." if isinstance(label, str) else ""

    # --- statements ------------------------------------------------------------------------------

    @rx.event
    async def download_statement(self, form_data: dict):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        self.statement_errors = dict.fromkeys(STATEMENT_FIELDS, "")
        try:
            text = await asyncio.to_thread(
                dashboard.statement_csv, principal.account_id, data.get("start"), data.get("end")
            )
        except FormErrors as refused:
            self.statement_errors = {field: refused.errors.get(field, "") for field in STATEMENT_FIELDS}
            return None
        return rx.download(data=text, filename=f"statement-{data.get('start')}-{data.get('end')}.csv")

    # --- where payouts go ------------------------------------------------------------------------

    @rx.event
    async def start_payout_change(self, on: bool):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        self._forget_payout_change()
        self.changing_payout = on is True
        return None

    @rx.event
    async def send_payout_code(self, form_data: dict):
        """Check the new details and email a code to the account; they wait here until it comes back."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        self.payout_errors = dict.fromkeys(PAYOUT_FIELDS, "")
        try:
            cleaned = await asyncio.to_thread(
                dashboard.ask_to_change_payout_details,
                principal.account_id,
                data.get("method"),
                data.get("details"),
                ip=self._client_ip(),
            )
        except FormErrors as refused:
            self.payout_errors = {field: refused.errors.get(field, "") for field in PAYOUT_FIELDS}
            return None
        except FieldError as refused:
            self.payout_errors = {**self.payout_errors, "details": refused.message}
            return None
        self._new_payout = cleaned
        self.awaiting_code = True
        return None

    @rx.event
    async def confirm_payout_change(self, form_data: dict):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        self.payout_errors = dict.fromkeys(PAYOUT_FIELDS, "")
        if not self.awaiting_code:
            self.payout_errors = {**self.payout_errors, "code": "Ask for a code first."}
            return None
        method, details = self._new_payout
        try:
            await asyncio.to_thread(
                dashboard.change_payout_details, principal.account_id, method, details, data.get("code")
            )
        except (FieldError, FormErrors) as refused:
            message = refused.message if isinstance(refused, FieldError) else " ".join(refused.errors.values())
            self.payout_errors = {**self.payout_errors, "code": message}
            return None
        self._forget_payout_change()
        self.notice = "Your payout details are changed."
        await self._show(principal.account_id)
        return None
