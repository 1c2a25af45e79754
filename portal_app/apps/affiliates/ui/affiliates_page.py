"""/apps/affiliates: the affiliate's page: links with copy buttons, the terms, totals, earnings by month
(a chart, with the same figures as a table for screen readers), referrals, commissions, payouts,
statements and where payouts go."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.affiliates.ui.affiliates_state import STATUS_NAMES
from portal_app.apps.affiliates.ui.affiliates_state import AffiliatesState as State
from portal_app.apps.registry import get_app
from portal_app.shell.ui.app_frame import app_header
from portal_app.shell.ui.forms import field, notice

_TABLE_CELL = {"padding": "6px 8px", "textAlign": "left", "borderBottom": "1px solid var(--gray-4)"}


def _section(title: str, *children, **props) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, as_="h2", size="4"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _link(link) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(link.label, size="2", weight="medium"),
            rx.code(link.url, size="2", style={"wordBreak": "break-all"}),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.button(
            rx.icon("copy", size=14, aria_hidden="true"),
            "Copy",
            size="2",
            variant="soft",
            aria_label="Copy " + link.label,
            on_click=[rx.set_clipboard(link.url), State.copied(link.label)],
        ),
        align="center",
        width="100%",
        spacing="3",
    )


def _stat(label: str, value, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", color_scheme="gray"),
        rx.text(value, size="6", weight="bold"),
        *((rx.text(hint, size="1", color_scheme="gray"),) if hint else ()),
        spacing="1",
        min_width="130px",
    )


def _totals() -> rx.Component:
    return rx.cond(
        State.totals.length() > 0,
        rx.foreach(
            State.totals,
            lambda t: rx.vstack(
                rx.cond(State.totals.length() > 1, rx.text(t.currency, weight="medium")),
                rx.flex(
                    _stat("Earned", t.earned),
                    _stat("Pending", t.pending, "in the refund window"),
                    _stat("Approved, unpaid", t.approved),
                    _stat("Paid", t.paid),
                    wrap="wrap",
                    style={"columnGap": "28px", "rowGap": "12px"},
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.text("No commissions yet. Share your link: sales from the customers you refer earn you commissions."),
    )


def _bar(month) -> rx.Component:
    return rx.flex(
        rx.box(
            class_name="earnings-bar",
            width="100%",
            max_width="44px",
            height=month["height"],
            min_height=rx.cond(month["amount"].to(float) > 0, "2px", "0"),
            background="var(--accent-9)",
            border_radius="4px 4px 0 0",
        ),
        # "Sep 2026" under each bar where there is room; "Sep" on a phone, where twelve would overlap.
        rx.text(month["month"], size="1", color_scheme="gray", white_space="nowrap", display=["none", "none", "block"]),
        rx.text(
            month["short"], size="1", color_scheme="gray", white_space="nowrap", display=["block", "block", "none"]
        ),
        direction="column",
        align="center",
        justify="end",
        gap="4px",
        flex="1",
        min_width="0",
        height="100%",
    )


def _chart() -> rx.Component:
    """Bars drawn with plain boxes (a charting library cost the page ~0.9 s of script time on a phone,
    docs/benchmarks.md "Page weight and load"); the figures are in the table under them."""
    return rx.vstack(
        rx.flex(
            rx.foreach(State.chart, _bar),
            # Shown to the eye only (the table below carries the figures).
            aria_hidden="true",
            align="end",
            gap="6px",
            height="200px",
            width="100%",
            padding_top="8px",
            border_bottom="1px solid var(--gray-6)",
        ),
        rx.el.details(
            rx.el.summary("Earnings by month as a table"),
            rx.el.table(
                rx.el.thead(rx.el.tr(rx.el.th("Month", style=_TABLE_CELL), rx.el.th("Earned", style=_TABLE_CELL))),
                rx.el.tbody(
                    rx.foreach(
                        State.chart,
                        lambda m: rx.el.tr(
                            rx.el.td(m["month"], style=_TABLE_CELL), rx.el.td(m["label"], style=_TABLE_CELL)
                        ),
                    )
                ),
                style={"borderCollapse": "collapse", "width": "100%"},
            ),
        ),
        width="100%",
        spacing="2",
    )


def _table(headers: tuple[str, ...], rows, render) -> rx.Component:
    return rx.box(
        rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(h, scope="col", style=_TABLE_CELL) for h in headers])),
            rx.el.tbody(rx.foreach(rows, render)),
            style={"borderCollapse": "collapse", "width": "100%", "fontSize": "14px"},
        ),
        width="100%",
        overflow_x="auto",
    )


def _status_badge(row) -> rx.Component:
    return rx.badge(
        row.status_name,
        color_scheme=rx.match(
            row.status, ("paid", "green"), ("approved", "blue"), ("rejected", "red"), ("reversed", "gray"), "amber"
        ),
        variant="soft",
        high_contrast=True,
    )


def _commissions() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.el.label("Show", html_for="commission-filter", class_name="portal-label"),
            rx.el.select(
                rx.el.option("Every state", value=""),
                *[rx.el.option(name, value=key) for key, name in STATUS_NAMES.items()],
                id="commission-filter",
                value=State.commission_filter,
                on_change=State.filter_commissions,
                style={"padding": "4px 8px", "borderRadius": "6px", "border": "1px solid var(--gray-7)"},
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            State.commission_rows.length() > 0,
            _table(
                ("Date", "Amount", "State"),
                State.commission_rows,
                lambda c: rx.el.tr(
                    rx.el.td(c.when, style={**_TABLE_CELL, "whiteSpace": "nowrap"}),
                    rx.el.td(c.amount, style={**_TABLE_CELL, "whiteSpace": "nowrap"}),
                    rx.el.td(
                        _status_badge(c),
                        rx.cond(c.note != "", rx.text(c.note, size="1", color_scheme="gray")),
                        style=_TABLE_CELL,
                    ),
                ),
            ),
            rx.text("No commissions here.", color_scheme="gray"),
        ),
        rx.cond(
            State.older_commissions != "",
            rx.button("Show older commissions", variant="soft", on_click=State.more_commissions),
        ),
        spacing="3",
        width="100%",
    )


def _payout_details() -> rx.Component:
    current = rx.cond(
        State.payout_details != "",
        rx.text(
            rx.cond(State.payout_method == "paypal", "PayPal: ", "Bank transfer: "),
            State.payout_details,
        ),
        rx.text("Not set yet: tell us where to send your payouts.", color_scheme="gray"),
    )
    form = rx.form(
        rx.vstack(
            rx.el.label("Payout method", html_for="method", class_name="portal-label"),
            rx.el.select(
                rx.el.option("PayPal", value="paypal"),
                rx.el.option("Bank transfer", value="bank"),
                id="method",
                name="method",
                style={"padding": "6px 8px", "borderRadius": "6px", "border": "1px solid var(--gray-7)"},
            ),
            rx.text(State.payout_errors["method"], size="2", color_scheme="red", role="alert"),
            field(
                "PayPal email or bank details",
                "details",
                error=State.payout_errors["details"],
                max_length=500,
                autocomplete="off",
            ),
            rx.hstack(
                rx.button("Email me a code", type="submit"),
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=State.start_payout_change(False),
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=State.send_payout_code,
        width="100%",
    )
    code_form = rx.form(
        rx.vstack(
            rx.text("We emailed you a code. Enter it to confirm the change."),
            field(
                "Code from the email",
                "code",
                error=State.payout_errors["code"],
                max_length=12,
                autocomplete="one-time-code",
                input_mode="numeric",
            ),
            rx.hstack(
                rx.button("Confirm change", type="submit"),
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=State.start_payout_change(False),
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=State.confirm_payout_change,
        width="100%",
    )
    return rx.vstack(
        current,
        rx.cond(
            State.changing_payout,
            rx.cond(State.awaiting_code, code_form, form),
            rx.button("Change payout details", variant="soft", on_click=State.start_payout_change(True)),
        ),
        spacing="3",
        width="100%",
    )


def _statement() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(field("From", "start", error=State.statement_errors["start"], input_type="date"), min_width="180px"),
            rx.box(field("To", "end", error=State.statement_errors["end"], input_type="date"), min_width="180px"),
            rx.button("Download statement (CSV)", type="submit", variant="soft", size="3"),
            wrap="wrap",
            gap="3",
            align="end",
        ),
        on_submit=State.download_statement,
        width="100%",
    )


def affiliates_page() -> rx.Component:
    return rx.vstack(
        app_header(get_app(APP_KEY)),
        notice(State.notice),
        rx.cond(
            State.loaded,
            rx.vstack(
                _section(
                    "Your links",
                    rx.foreach(State.links, _link),
                    rx.text(
                        "Your code: ",
                        rx.code(State.code),
                        ". Add ?ref=",
                        State.code,
                        " to any link to this portal, too.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                _section(
                    "Terms",
                    rx.text(State.terms),
                    rx.text(
                        "A visit through your link counts for ",
                        State.cookie_days,
                        " days. Commissions wait ",
                        State.approval_days,
                        " days (the refund window) before they can be approved.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                _section("Totals", _totals()),
                _section("Earnings by month (" + State.chart_currency + ")", _chart()),
                _section(
                    "Referrals",
                    rx.text(
                        State.clicks_30_days,
                        " visits through your links in the last 30 days, ",
                        State.referral_count,
                        " customers referred in all.",
                        size="2",
                    ),
                    rx.cond(
                        State.referrals.length() > 0,
                        _table(
                            ("Customer", "Date", "How"),
                            State.referrals,
                            lambda r: rx.el.tr(
                                rx.el.td(r.who, style=_TABLE_CELL),
                                rx.el.td(r.when, style=_TABLE_CELL),
                                rx.el.td(r.how, style=_TABLE_CELL),
                            ),
                        ),
                        rx.text("No referrals yet.", color_scheme="gray"),
                    ),
                ),
                _section("Commissions", _commissions()),
                _section(
                    "Payouts",
                    rx.cond(
                        State.payout_rows.length() > 0,
                        _table(
                            ("Date", "Amount", "Method", "Reference"),
                            State.payout_rows,
                            lambda p: rx.el.tr(
                                rx.el.td(p.paid_on, style=_TABLE_CELL),
                                rx.el.td(p.amount, style=_TABLE_CELL),
                                rx.el.td(p.method, style=_TABLE_CELL),
                                rx.el.td(p.reference, style=_TABLE_CELL),
                            ),
                        ),
                        rx.text("No payouts yet.", color_scheme="gray"),
                    ),
                ),
                _section("Where your payouts go", _payout_details()),
                _section("Statements", _statement()),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
