"""/admin/apps/affiliates/payouts: what each affiliate can be paid now (their approved commissions, per
currency), a form to record a payout you sent (it pays every approved commission of that affiliate in
that currency), many payouts at once from CSV (pasted or uploaded: all of them or none), and the payouts
recorded so far."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.affiliates.ledger import CSV_COLUMNS
from portal_app.apps.affiliates.models import MAX_REFERENCE_LENGTH
from portal_app.apps.affiliates.ui.admin_common import error_text, page_header, select_field, table, text_area_field
from portal_app.apps.affiliates.ui.admin_payouts_state import UPLOAD_ID
from portal_app.apps.affiliates.ui.admin_payouts_state import AffiliatesPayoutsAdminState as State
from portal_app.shell.ui.forms import field, file_picker, notice

METHOD_OPTIONS = (("paypal", "PayPal"), ("bank", "Bank transfer"))
CSV_TYPES = {"text/csv": [".csv"], "text/plain": [".txt"]}
CSV_HINT = (
    "One payout per line: "
    + ", ".join(CSV_COLUMNS)
    + " (paypal or bank; the date like 2026-01-31). A header line is optional. Example: "
    + "k7m2xq9p,USD,paypal,PP-1234,2026-01-31"
)


def _due_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.name, weight="medium"), rx.text(row.email, size="1", color_scheme="gray")),
        rx.table.cell(rx.code(row.code)),
        rx.table.cell(rx.text(row.amount, weight="medium"), rx.text(row.commissions, " approved", size="1")),
        rx.table.cell(rx.text(row.method), rx.text(row.details, size="1", color_scheme="gray", white_space="pre-wrap")),
        rx.table.cell(
            rx.button(
                "Prepare",
                size="1",
                variant="soft",
                aria_label="Prepare payout for " + row.code + " in " + row.currency,
                on_click=State.prepare_payout(row.code, row.currency),
            )
        ),
    )


def _payout_form() -> rx.Component:
    defaults = State.payout_defaults
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Record a payout", as_="h2", size="4"),
                rx.text(
                    "After you have sent the money: this marks every approved commission of the affiliate in that "
                    "currency as paid, and emails them.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.flex(
                    rx.box(
                        field(
                            "Affiliate (referral code or email)",
                            "affiliate",
                            error=State.payout_errors["affiliate"],
                            default_value=defaults["affiliate"],
                            max_length=320,
                            autocomplete="off",
                        ),
                        flex="2",
                        min_width="240px",
                    ),
                    rx.box(
                        field(
                            "Currency",
                            "currency",
                            error=State.payout_errors["currency"],
                            default_value=defaults["currency"],
                            max_length=3,
                            autocomplete="off",
                        ),
                        width="140px",
                    ),
                    gap="12px",
                    wrap="wrap",
                    align="start",
                    width="100%",
                ),
                rx.flex(
                    select_field(
                        "Sent by", "method", METHOD_OPTIONS, defaults["method"], State.payout_errors["method"]
                    ),
                    rx.box(
                        field(
                            "Reference",
                            "reference",
                            error=State.payout_errors["reference"],
                            hint="The transfer's id, to find it again (optional).",
                            default_value=defaults["reference"],
                            max_length=MAX_REFERENCE_LENGTH,
                            autocomplete="off",
                        ),
                        flex="2",
                        min_width="220px",
                    ),
                    rx.box(
                        field(
                            "Sent on",
                            "paid_on",
                            error=State.payout_errors["paid_on"],
                            input_type="date",
                            default_value=defaults["paid_on"],
                        ),
                        width="200px",
                    ),
                    gap="12px",
                    wrap="wrap",
                    align="start",
                    width="100%",
                ),
                rx.button("Record payout", type="submit", size="3"),
                spacing="3",
                width="100%",
            ),
            key="payout-" + State.payout_version.to_string(),
            on_submit=State.record_payout,
            width="100%",
        ),
        width="100%",
    )


def _csv_import() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Many payouts from CSV", as_="h2", size="4"),
            rx.text(
                "All of them are recorded, or none: every line with a problem is listed with its number.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    text_area_field("Payouts as CSV", "csv", State.csv_error, hint=CSV_HINT, rows="6"),
                    rx.button("Import pasted payouts", type="submit", variant="soft", size="3"),
                    spacing="2",
                    width="100%",
                ),
                key="csv-" + State.csv_version.to_string(),
                on_submit=State.import_payouts,
                width="100%",
            ),
            file_picker(
                UPLOAD_ID,
                "Or a CSV file",
                "Import the chosen file",
                "The same columns, saved as CSV (UTF-8).",
                CSV_TYPES,
                State.upload_payouts,
                State.csv_file_error,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _payout_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.paid_on),
        rx.table.cell(rx.text(row.name), rx.text(row.email, " · ", row.code, size="1", color_scheme="gray")),
        rx.table.cell(rx.text(row.amount, weight="medium")),
        rx.table.cell(row.method),
        rx.table.cell(row.reference),
        rx.table.cell(row.commissions),
        rx.table.cell(rx.text(row.recorded, size="1")),
    )


def affiliates_payouts_admin_page() -> rx.Component:
    return rx.vstack(
        page_header(
            "Payouts",
            "Payouts",
            "Pay affiliates their approved commissions (by PayPal or bank, outside the portal), then record it here.",
        ),
        notice(State.payouts_notice),
        error_text(State.payouts_error, "payouts"),
        rx.cond(
            State.payouts_loaded,
            rx.vstack(
                rx.heading("Due now", as_="h2", size="5"),
                rx.cond(
                    State.due_rows.length() > 0,
                    table(
                        ("Affiliate", "Code", "Approved, not paid", "Where payouts go", ""),
                        rx.table.body(rx.foreach(State.due_rows, _due_row)),
                        label="Payouts due",
                    ),
                    rx.text("Nothing is due: no approved commissions are waiting to be paid.", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        _payout_form(),
        _csv_import(),
        rx.cond(
            State.payouts_loaded,
            rx.vstack(
                rx.heading("Recorded payouts", as_="h2", size="5"),
                table(
                    ("Sent on", "Affiliate", "Amount", "Method", "Reference", "Commissions", "Recorded"),
                    rx.table.body(rx.foreach(State.payout_rows, _payout_row)),
                    label="Recorded payouts",
                ),
                rx.cond(State.payout_rows.length() == 0, rx.text("No payouts yet.", color_scheme="gray")),
                rx.cond(
                    State.payouts_more,
                    rx.button("Show older payouts", variant="soft", on_click=State.older_payouts),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
