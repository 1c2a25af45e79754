"""The state of /admin/apps/affiliates/sales: a sale or a refund entered by hand, sales imported from CSV, and
the shop's webhook (its address, its secret shown on request, rotating it, its log of calls).

Every handler gates first. Each sale or refund form is drawn with its own idempotency key (a hidden
field the service checks the shape of), so sending the same form twice records one sale. The secret
stays on the server until staff ask to see it, and leaves the tab's state when they hide it."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.affiliates import admin_sales, admin_views
from portal_app.apps.affiliates.money import format_money
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.affiliates.ui.admin_common import moment_text
from portal_app.kernel.errors import FormErrors
from portal_app.shell.ui.base_state import form_text

SALE_FIELDS = ("form", "external_id", "amount", "currency", "customer_email", "referral_code", "sold_on")
REFUND_FIELDS = ("form", "refund_external_id", "refund_amount")
NOTHING_RECORDED = "Nothing was recorded. Correct the fields marked below."
CHOOSE_ONE_FILE = "Choose one CSV file, then import it."
NOT_TEXT = "That file is not CSV text (UTF-8). Export it from your spreadsheet as CSV, then try again."
TOO_BIG = f"That file is too large: at most {admin_sales.MAX_CSV_CHARACTERS:,} characters of CSV."
MAX_FILE_BYTES = admin_sales.MAX_CSV_CHARACTERS * 4
UPLOAD_ID = "sales-csv-upload"


@dataclasses.dataclass
class CallRow:
    when: str = ""
    accepted: bool = False
    result: str = ""
    kind: str = ""
    outcome: str = ""
    key: str = ""


def _sale_notice(result: admin_sales.SaleResult) -> str:
    sold = format_money(result.amount, result.currency)
    if result.replayed:
        head = f"This sale was recorded before ({result.external_id}, {sold}): nothing new was stored."
    else:
        head = f"Sale recorded: {result.external_id}, {sold}."
    if result.commission_amount is not None:
        earned = format_money(result.commission_amount, result.commission_currency)
        if result.replayed:
            return f"{head} Its commission: {earned} for {result.affiliate_name}."
        return f"{head} Commission of {earned} for {result.affiliate_name}, pending until its refund window ends."
    return f"{head} No commission: {result.why_no_commission}"


def _refund_notice(result: admin_sales.RefundResult) -> str:
    refunded = format_money(result.amount, result.currency)
    if result.replayed:
        return f"This refund was recorded before ({result.external_id}): nothing new was stored."
    left = format_money(result.left_to_refund, result.currency)
    text = f"Refund of {refunded} recorded for {result.external_id}; {left} of the sale is left to refund."
    if result.had_commission:
        now = format_money(result.commission_now, result.currency)
        text += f" Its commission is {now} now."
    return text


def _read_upload(upload) -> str:
    data = upload.file.read(MAX_FILE_BYTES + 1)
    if not isinstance(data, bytes) or len(data) > MAX_FILE_BYTES:
        raise FormErrors({"csv_file": TOO_BIG})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormErrors({"csv_file": NOT_TEXT}) from None
    if len(text) > admin_sales.MAX_CSV_CHARACTERS:
        raise FormErrors({"csv_file": TOO_BIG})
    return text


class AffiliatesSalesAdminState(AppAdminState):
    sales_loaded: bool = False
    sales_notice: str = ""
    sales_error: str = ""
    today: str = ""
    sale_errors: dict[str, str] = dict.fromkeys(SALE_FIELDS, "")
    sale_form_key: str = ""
    refund_errors: dict[str, str] = dict.fromkeys(REFUND_FIELDS, "")
    refund_form_key: str = ""
    import_error: str = ""
    import_file_error: str = ""
    import_version: int = 0
    webhook_endpoint: str = ""
    secret_ending: str = ""
    # The whole secret, only while staff chose to see it.
    secret_shown: str = ""
    curl_example: str = ""
    python_example: str = ""
    call_rows: list[CallRow] = []

    def _clear_page(self) -> None:
        self.sales_loaded = False
        self.today = self.sale_form_key = self.refund_form_key = ""
        self.webhook_endpoint = self.secret_ending = self.secret_shown = ""
        self.curl_example = self.python_example = ""
        self.call_rows = []
        self._clear_messages()

    def _clear_messages(self) -> None:
        self.sales_notice = self.sales_error = self.import_error = self.import_file_error = ""
        self.sale_errors = dict.fromkeys(SALE_FIELDS, "")
        self.refund_errors = dict.fromkeys(REFUND_FIELDS, "")

    def _new_sale_form(self) -> None:
        self.sale_form_key = admin_sales.new_form_key(admin_sales.SALE_FORM)

    def _new_refund_form(self) -> None:
        self.refund_form_key = admin_sales.new_form_key(admin_sales.REFUND_FORM)

    async def _show_webhook(self) -> None:
        panel = await asyncio.to_thread(admin_sales.webhook_panel)
        self.webhook_endpoint, self.secret_ending = panel.endpoint, panel.secret_ending
        self.curl_example = admin_sales.curl_example(panel.endpoint)
        self.python_example = admin_sales.python_example(panel.endpoint)
        self.call_rows = [
            CallRow(
                when=moment_text(call.received_at),
                accepted=call.accepted,
                result="Accepted" if call.accepted else "Rejected",
                kind=call.kind or "unknown",
                outcome=call.outcome,
                key=call.idempotency_key,
            )
            for call in panel.calls
        ]

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self.today = (await asyncio.to_thread(admin_views.today)).isoformat()
        self._new_sale_form()
        self._new_refund_form()
        await self._show_webhook()
        self.sales_loaded = True
        return None

    # --- by hand ---------------------------------------------------------------------------------------------

    @rx.event
    async def record_sale(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        try:
            result = await asyncio.to_thread(
                admin_sales.record_manual_sale,
                staff.actor,
                form_key=form_text(form_data, "form_key"),
                external_id=form_text(form_data, "external_id"),
                amount=form_text(form_data, "amount"),
                currency=form_text(form_data, "currency"),
                customer_email=form_text(form_data, "customer_email"),
                referral_code=form_text(form_data, "referral_code"),
                sold_on=form_text(form_data, "sold_on"),
            )
        except FormErrors as refused:
            self.sale_errors = {field: refused.errors.get(field, "") for field in SALE_FIELDS}
            self.sales_notice = NOTHING_RECORDED
            return None
        if not result.replayed:
            self._new_sale_form()
        self.sales_notice = _sale_notice(result)
        return None

    @rx.event
    async def record_refund(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        try:
            result = await asyncio.to_thread(
                admin_sales.record_manual_refund,
                staff.actor,
                form_key=form_text(form_data, "form_key"),
                external_id=form_text(form_data, "refund_external_id"),
                amount=form_text(form_data, "refund_amount"),
            )
        except FormErrors as refused:
            self.refund_errors = {field: refused.errors.get(field, "") for field in REFUND_FIELDS}
            self.sales_notice = NOTHING_RECORDED
            return None
        if not result.replayed:
            self._new_refund_form()
        self.sales_notice = _refund_notice(result)
        return None

    # --- from CSV --------------------------------------------------------------------------------------------

    async def _import(self, actor, text: str) -> bool:
        try:
            result = await asyncio.to_thread(admin_sales.import_sales_csv, actor, text)
        except FormErrors as refused:
            self.import_error = refused.errors.get("csv", " ".join(refused.errors.values()))
            self.sales_notice = "Nothing was imported: the whole file is refused until every line is right."
            return False
        earned = "; ".join(format_money(amount, currency) for currency, amount in result.commission_totals.items())
        parts = [f"Imported {result.recorded} sale{'s' if result.recorded != 1 else ''}"]
        if result.commissions:
            parts.append(
                f", earning {result.commissions} commission{'s' if result.commissions != 1 else ''} ({earned})"
            )
        parts.append(".")
        if result.replayed:
            parts.append(
                f" {result.replayed} line{'s were' if result.replayed != 1 else ' was'} recorded before: skipped."
            )
        self.sales_notice = "".join(parts)
        return True

    @rx.event
    async def import_sales(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        if await self._import(staff.actor, form_text(form_data, "sales_csv")):
            self.import_version += 1
        return None

    @rx.event
    async def upload_sales(self, files: list[rx.UploadFile]):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        chosen = [item for item in files if isinstance(item, rx.UploadFile)] if isinstance(files, list) else []
        if len(chosen) != 1:
            self.import_file_error = CHOOSE_ONE_FILE
            return None
        try:
            text = await asyncio.to_thread(_read_upload, chosen[0])
        except FormErrors as refused:
            self.import_file_error = " ".join(refused.errors.values())
            return None
        await self._import(staff.actor, text)
        if self.import_error:
            self.import_file_error, self.import_error = self.import_error, ""
        return rx.clear_selected_files(UPLOAD_ID)

    # --- the webhook -----------------------------------------------------------------------------------------

    @rx.event
    async def toggle_secret(self):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self._clear_messages()
        self.secret_shown = "" if self.secret_shown else await asyncio.to_thread(admin_sales.reveal_secret)
        return None

    @rx.event
    async def rotate_secret(self):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        self.secret_shown = await asyncio.to_thread(admin_sales.rotate_secret, staff.actor)
        await self._show_webhook()
        self.sales_notice = (
            "A new secret was made and is shown below. Calls signed with the old one are refused from now on: "
            "give your shop the new one."
        )
        return None

    @rx.event
    async def refresh_calls(self):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self._clear_messages()
        await self._show_webhook()
        return None


__all__ = ["UPLOAD_ID", "AffiliatesSalesAdminState", "CallRow"]
