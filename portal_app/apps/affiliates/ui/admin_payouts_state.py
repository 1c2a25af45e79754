"""The state of /admin/apps/affiliates/payouts: what is due, recording a payout (one affiliate, one currency:
every approved commission), many at once from CSV (pasted or uploaded; all or nothing), and the payouts
recorded so far. Every handler gates first; the services check every value again."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.affiliates import admin_views
from portal_app.apps.affiliates.ledger import MAX_CSV_CHARACTERS
from portal_app.apps.affiliates.money import format_money
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.affiliates.ui.admin_common import METHOD_NAMES, day_text, moment_text
from portal_app.kernel.errors import FormErrors
from portal_app.shell.ui.base_state import form_text

FIELDS = ("affiliate", "method", "reference", "paid_on", "currency")
NOTHING_RECORDED = "Nothing was recorded. Correct the fields marked below."
CHOOSE_ONE_FILE = "Choose one CSV file, then import it."
NOT_TEXT = "That file is not CSV text (UTF-8). Export it from your spreadsheet as CSV, then try again."
TOO_BIG = f"That file is too large: at most {MAX_CSV_CHARACTERS:,} characters of CSV."
# Read one byte more than the largest file taken, to know it was larger.
MAX_FILE_BYTES = MAX_CSV_CHARACTERS * 4


@dataclasses.dataclass
class DueRow:
    key: str = ""
    name: str = ""
    email: str = ""
    code: str = ""
    currency: str = ""
    amount: str = ""
    commissions: int = 0
    method: str = ""
    details: str = ""


@dataclasses.dataclass
class PayoutRow:
    id: int = 0
    paid_on: str = ""
    recorded: str = ""
    name: str = ""
    email: str = ""
    code: str = ""
    amount: str = ""
    method: str = ""
    reference: str = ""
    commissions: int = 0


def _payout_row(item: admin_views.PayoutItem) -> PayoutRow:
    return PayoutRow(
        id=item.id,
        paid_on=day_text(item.paid_on),
        recorded=moment_text(item.created_at),
        name=item.affiliate_name,
        email=item.affiliate_email,
        code=item.affiliate_code,
        amount=format_money(item.amount, item.currency),
        method=METHOD_NAMES.get(item.method, item.method),
        reference=item.reference,
        commissions=item.commissions,
    )


def _paid_text(items: list[admin_views.PayoutItem]) -> str:
    return "; ".join(f"{format_money(item.amount, item.currency)} to {item.affiliate_name}" for item in items[:10]) + (
        f"; and {len(items) - 10} more" if len(items) > 10 else ""
    )


def _read_upload(upload) -> str:
    """The uploaded file as text; FormErrors({"csv_file": ...}) when it is too large or not UTF-8."""
    data = upload.file.read(MAX_FILE_BYTES + 1)
    if not isinstance(data, bytes) or len(data) > MAX_FILE_BYTES:
        raise FormErrors({"csv_file": TOO_BIG})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormErrors({"csv_file": NOT_TEXT}) from None
    if len(text) > MAX_CSV_CHARACTERS:
        raise FormErrors({"csv_file": TOO_BIG})
    return text


class AffiliatesPayoutsAdminState(AppAdminState):
    payouts_loaded: bool = False
    due_rows: list[DueRow] = []
    payout_rows: list[PayoutRow] = []
    payouts_more: bool = False
    payout_errors: dict[str, str] = dict.fromkeys(FIELDS, "")
    # What the payout form starts with (a "Prepare" button fills it in).
    payout_defaults: dict[str, str] = {}
    payout_version: int = 0
    payouts_notice: str = ""
    payouts_error: str = ""
    csv_error: str = ""
    csv_file_error: str = ""
    csv_version: int = 0
    _payouts_before: int | None = None

    def _clear_page(self) -> None:
        self.payouts_loaded = self.payouts_more = False
        self.due_rows, self.payout_rows = [], []
        self.payout_defaults = {}
        self._payouts_before = None
        self._clear_messages()

    def _clear_messages(self) -> None:
        self.payout_errors = dict.fromkeys(FIELDS, "")
        self.payouts_notice = self.payouts_error = self.csv_error = self.csv_file_error = ""

    def _blank_form(self, today: str) -> None:
        self.payout_defaults = {
            "affiliate": "",
            "method": "paypal",
            "reference": "",
            "paid_on": today,
            "currency": "USD",
        }
        self.payout_version += 1

    async def _show(self, *, more: bool = False) -> None:
        if not more:
            due = await asyncio.to_thread(admin_views.payouts_due)
            self.due_rows = [
                DueRow(
                    key=f"{item.affiliate_code}-{item.currency}",
                    name=item.affiliate_name,
                    email=item.affiliate_email,
                    code=item.affiliate_code,
                    currency=item.currency,
                    amount=format_money(item.amount, item.currency),
                    commissions=item.commissions,
                    method=METHOD_NAMES.get(item.payout_method, "Not given yet"),
                    details=item.payout_details,
                )
                for item in due
            ]
        page = await asyncio.to_thread(admin_views.payouts_page, before=self._payouts_before if more else None)
        rows = [_payout_row(item) for item in page.items]
        self.payout_rows = [*self.payout_rows, *rows] if more else rows
        self._payouts_before = page.next_before
        self.payouts_more = page.next_before is not None
        self.payouts_loaded = True

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self._blank_form((await asyncio.to_thread(admin_views.today)).isoformat())
        await self._show()
        return None

    @rx.event
    async def older_payouts(self):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        if self._payouts_before is not None:
            await self._show(more=True)
        return None

    @rx.event
    async def prepare_payout(self, code: str, currency: str):
        """Fill the payout form in for one line of what is due (its code, currency and payout method)."""
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self._clear_messages()
        due = next((row for row in self.due_rows if row.code == code and row.currency == currency), None)
        if due is None:
            await self._show()
            self.payouts_error = "That payout is not due any more. The list is up to date now."
            return None
        method = next((key for key, name in METHOD_NAMES.items() if name == due.method), "paypal")
        today = (await asyncio.to_thread(admin_views.today)).isoformat()
        self.payout_defaults = {
            "affiliate": due.code,
            "method": method,
            "reference": "",
            "paid_on": today,
            "currency": due.currency,
        }
        self.payout_version += 1
        self.payouts_notice = (
            f"The form below is ready to pay {due.amount} to {due.name}: add the reference, then record it."
        )
        return rx.call_script("document.getElementById('reference')?.focus()")

    @rx.event
    async def record_payout(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        values = {field: form_text(form_data, field) for field in FIELDS}
        try:
            item = await asyncio.to_thread(admin_views.record_payout_for, staff.actor, **values)
        except FormErrors as refused:
            self.payout_errors = {field: refused.errors.get(field, "") for field in FIELDS}
            self.payouts_notice = NOTHING_RECORDED
            return None
        self._blank_form(values["paid_on"] if values["paid_on"] else "")
        await self._show()
        self.payouts_notice = (
            f"Recorded a payout of {format_money(item.amount, item.currency)} to {item.affiliate_name}: "
            f"{item.commissions} approved commission{'s' if item.commissions != 1 else ''} marked paid."
        )
        return None

    async def _import(self, actor, text: str) -> bool:
        try:
            items = await asyncio.to_thread(admin_views.record_payouts_from_csv, actor, text)
        except FormErrors as refused:
            self.csv_error = refused.errors.get("csv", " ".join(refused.errors.values()))
            self.payouts_notice = "Nothing was recorded: the whole file is refused until every line is right."
            return False
        await self._show()
        count = len(items)
        self.payouts_notice = f"Recorded {count} payout{'s' if count != 1 else ''}: {_paid_text(items)}."
        return True

    @rx.event
    async def import_payouts(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        if await self._import(staff.actor, form_text(form_data, "csv")):
            self.csv_version += 1
        return None

    @rx.event
    async def upload_payouts(self, files: list[rx.UploadFile]):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        chosen = [item for item in files if isinstance(item, rx.UploadFile)] if isinstance(files, list) else []
        if len(chosen) != 1:
            self.csv_file_error = CHOOSE_ONE_FILE
            return None
        try:
            text = await asyncio.to_thread(_read_upload, chosen[0])
        except FormErrors as refused:
            self.csv_file_error = " ".join(refused.errors.values())
            return None
        await self._import(staff.actor, text)
        if self.csv_error:
            self.csv_file_error, self.csv_error = self.csv_error, ""
        return rx.clear_selected_files(UPLOAD_ID)


UPLOAD_ID = "payouts-csv-upload"

__all__ = ["UPLOAD_ID", "AffiliatesPayoutsAdminState", "DueRow", "PayoutRow"]
