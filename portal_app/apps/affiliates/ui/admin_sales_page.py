"""/admin/apps/affiliates/sales: sales that earn commissions, from your shop's webhook or entered here. A sale by
hand (customer email and/or referral code), a refund by hand, sales imported from CSV (all of them or
none), and the webhook: its address, its secret (hidden until asked for; rotating it asks first), how to
sign a call, and the log of the latest calls."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.affiliates.admin_sales import SALE_CSV_COLUMNS
from portal_app.apps.affiliates.models import MAX_EXTERNAL_ID_LENGTH
from portal_app.apps.affiliates.ui.admin_common import error_text, page_header, table, text_area_field
from portal_app.apps.affiliates.ui.admin_sales_state import UPLOAD_ID
from portal_app.apps.affiliates.ui.admin_sales_state import AffiliatesSalesAdminState as State
from portal_app.shell.ui.forms import field, file_picker, notice

CSV_TYPES = {"text/csv": [".csv"], "text/plain": [".txt"]}
CSV_HINT = (
    "One sale per line: "
    + ", ".join(SALE_CSV_COLUMNS)
    + ". The amount as you would write it (49.00); occurred_at a date (2026-01-31) or a time with its offset "
    "(2026-01-31T14:00:00Z), or empty for now. Each sale needs a customer_email, a referral_code or both. "
    "A header line (in any column order) is optional. An order imported twice is recorded once."
)


def _box(component: rx.Component, width: str = "220px", grow: str = "1") -> rx.Component:
    return rx.box(component, min_width=width, flex=grow)


def _sale_form() -> rx.Component:
    errors = State.sale_errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Enter a sale", as_="h2", size="4"),
                rx.text(
                    "For a sale your shop did not report. It earns a commission exactly as a webhook sale does.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.el.input(type="hidden", name="form_key", value=State.sale_form_key),
                error_text(errors["form"], "sale_form"),
                rx.flex(
                    _box(
                        field(
                            "Customer's email",
                            "customer_email",
                            error=errors["customer_email"],
                            input_type="email",
                            max_length=320,
                            autocomplete="off",
                        ),
                        "240px",
                    ),
                    _box(
                        field(
                            "Referral code",
                            "referral_code",
                            error=errors["referral_code"],
                            hint="The customer's referral, else this code's affiliate.",
                            max_length=32,
                            autocomplete="off",
                        )
                    ),
                    gap="12px",
                    wrap="wrap",
                    align="start",
                    width="100%",
                ),
                rx.flex(
                    _box(
                        field(
                            "Amount",
                            "amount",
                            error=errors["amount"],
                            hint="Like 49.00.",
                            input_mode="decimal",
                            max_length=32,
                            autocomplete="off",
                        ),
                        "160px",
                    ),
                    rx.box(
                        field(
                            "Currency",
                            "currency",
                            error=errors["currency"],
                            default_value="USD",
                            max_length=3,
                            autocomplete="off",
                        ),
                        width="130px",
                    ),
                    _box(
                        field(
                            "Order id in your shop",
                            "external_id",
                            error=errors["external_id"],
                            hint="Optional; a sale with an order id already recorded is not counted again.",
                            max_length=MAX_EXTERNAL_ID_LENGTH,
                            autocomplete="off",
                        ),
                        "240px",
                        "2",
                    ),
                    rx.box(
                        field(
                            "Date of the sale",
                            "sold_on",
                            error=errors["sold_on"],
                            input_type="date",
                            default_value=State.today,
                            max=State.today,
                        ),
                        width="190px",
                    ),
                    gap="12px",
                    wrap="wrap",
                    align="start",
                    width="100%",
                ),
                rx.button("Record sale", type="submit", size="3"),
                spacing="3",
                width="100%",
            ),
            key="sale-" + State.sale_form_key,
            on_submit=State.record_sale,
            width="100%",
        ),
        width="100%",
    )


def _refund_form() -> rx.Component:
    errors = State.refund_errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Enter a refund", as_="h2", size="4"),
                rx.text(
                    "Part or all of a recorded sale. Its unpaid commission is reduced in proportion; a paid one is "
                    "taken back from the affiliate's next payout.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.el.input(type="hidden", name="form_key", value=State.refund_form_key),
                error_text(errors["form"], "refund_form"),
                rx.flex(
                    _box(
                        field(
                            "Order id of the sale",
                            "refund_external_id",
                            error=errors["refund_external_id"],
                            max_length=MAX_EXTERNAL_ID_LENGTH,
                            autocomplete="off",
                        ),
                        "240px",
                        "2",
                    ),
                    _box(
                        field(
                            "Amount refunded",
                            "refund_amount",
                            error=errors["refund_amount"],
                            hint="In the sale's currency, like 10.00.",
                            input_mode="decimal",
                            max_length=32,
                            autocomplete="off",
                        ),
                        "180px",
                    ),
                    gap="12px",
                    wrap="wrap",
                    align="start",
                    width="100%",
                ),
                rx.button("Record refund", type="submit", size="3", variant="soft"),
                spacing="3",
                width="100%",
            ),
            key="refund-" + State.refund_form_key,
            on_submit=State.record_refund,
            width="100%",
        ),
        width="100%",
    )


def _csv_import() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Import sales from CSV", as_="h2", size="4"),
            rx.text(
                "All of them are recorded, or none: every line with a problem is listed with its number.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    text_area_field("Sales as CSV", "sales_csv", State.import_error, hint=CSV_HINT, rows="6"),
                    rx.button("Import pasted sales", type="submit", variant="soft", size="3"),
                    spacing="2",
                    width="100%",
                ),
                key="import-" + State.import_version.to_string(),
                on_submit=State.import_sales,
                width="100%",
            ),
            file_picker(
                UPLOAD_ID,
                "Or a CSV file",
                "Import the chosen file",
                "The same columns, saved as CSV (UTF-8).",
                CSV_TYPES,
                State.upload_sales,
                State.import_file_error,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _rotate_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Rotate secret", variant="soft", color_scheme="orange")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Make a new secret?"),
            rx.alert_dialog.description(
                "The current secret stops working at once: your shop's calls are refused until it signs with "
                "the new one. Do this when the secret may have leaked, and update your shop straight away."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep the current one", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Yes, make a new one", color_scheme="orange", on_click=State.rotate_secret)
                ),
                justify="end",
                spacing="3",
            ),
        ),
    )


def _code_block(label: str, code) -> rx.Component:
    return rx.vstack(
        rx.text(label, weight="medium", size="2"),
        rx.el.pre(
            rx.el.code(code),
            style={
                "whiteSpace": "pre",
                "overflowX": "auto",
                "background": "var(--gray-3)",
                "padding": "12px",
                "borderRadius": "8px",
                "width": "100%",
                "fontSize": "13px",
            },
            tab_index=0,
            aria_label=label,
        ),
        spacing="1",
        width="100%",
    )


def _call_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.when),
        rx.table.cell(rx.badge(row.result, color_scheme=rx.cond(row.accepted, "green", "red"), variant="soft")),
        rx.table.cell(row.kind),
        rx.table.cell(row.outcome),
        rx.table.cell(rx.code(row.key)),
    )


def _webhook_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your shop's webhook", as_="h2", size="4"),
            rx.text(
                "Your shop reports each sale and refund here, signed with the secret, and the portal records it "
                "as if entered above. The same idempotency key twice is one sale.",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.text("Address (POST, JSON)", weight="medium", size="2"),
                rx.code(State.webhook_endpoint, size="3"),
                spacing="1",
            ),
            rx.vstack(
                rx.text("Secret", weight="medium", size="2"),
                rx.hstack(
                    rx.code(
                        rx.cond(State.secret_shown != "", State.secret_shown, "••••••••••••" + State.secret_ending),
                        size="3",
                        aria_live="polite",
                        style={"wordBreak": "break-all"},
                    ),
                    rx.button(
                        rx.cond(State.secret_shown != "", "Hide secret", "Show secret"),
                        variant="soft",
                        size="2",
                        on_click=State.toggle_secret,
                        aria_pressed=rx.cond(State.secret_shown != "", "true", "false"),
                    ),
                    _rotate_dialog(),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="1",
                width="100%",
            ),
            rx.heading("Signing a call", as_="h3", size="3"),
            rx.el.ul(
                rx.el.li("Send the JSON body with the header X-Portal-Timestamp: the current unix time in seconds."),
                rx.el.li(
                    "And X-Portal-Signature: sha256= followed by the hex HMAC-SHA256, keyed with the secret, of the "
                    'timestamp, a dot, and the body exactly as sent: HMAC(secret, f"{timestamp}.{body}").'
                ),
                rx.el.li("A timestamp more than 5 minutes from the portal's clock is refused, so replays go stale."),
                rx.el.li(
                    'A sale: type "sale", idempotency_key, external_id (your order id), amount in minor units as '
                    'digits ("4900" for 49.00), currency, customer_email and/or referral_code, occurred_at '
                    '(optional, ISO 8601 with its offset). A refund: type "refund", idempotency_key, external_id '
                    "of the sale, amount."
                ),
                style={"margin": 0, "paddingLeft": "20px", "display": "grid", "gap": "4px"},
            ),
            _code_block("With curl", State.curl_example),
            _code_block("With Python", State.python_example),
            rx.hstack(
                rx.heading("Latest calls", as_="h3", size="3"),
                rx.button("Refresh the log", variant="soft", size="1", on_click=State.refresh_calls),
                align="center",
                spacing="3",
            ),
            rx.cond(
                State.call_rows.length() > 0,
                table(
                    ("Received", "Result", "Kind", "What happened", "Idempotency key"),
                    rx.table.body(rx.foreach(State.call_rows, _call_row)),
                    label="Latest webhook calls",
                ),
                rx.text("No calls yet.", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def affiliates_sales_admin_page() -> rx.Component:
    return rx.vstack(
        page_header(
            "Sales and webhook",
            "Sales and webhook",
            "Sales earn affiliates their commissions. Connect your shop's webhook, or enter sales here.",
        ),
        notice(State.sales_notice),
        error_text(State.sales_error, "sales"),
        rx.cond(
            State.sales_loaded,
            rx.vstack(
                _sale_form(),
                _refund_form(),
                _csv_import(),
                _webhook_panel(),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
