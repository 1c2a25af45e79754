"""/admin/apps/affiliates: the programme at a glance: money per currency and state, the counts staff watch,
and the way to each admin page."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.affiliates.ui.admin_common import ADMIN_BASE, figure_card, page_header, table
from portal_app.apps.affiliates.ui.admin_overview_state import AffiliatesOverviewAdminState as State


def _totals_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.currency),
        rx.table.cell(row.pending),
        rx.table.cell(row.approved),
        rx.table.cell(row.paid),
        rx.table.cell(row.reversed),
    )


def affiliates_overview_admin_page() -> rx.Component:
    return rx.vstack(
        page_header(
            "Overview",
            "Affiliate Manager",
            "Your affiliate programme: what it owes and has paid, in each currency, and what needs you.",
        ),
        rx.cond(
            State.overview_loaded,
            rx.vstack(
                rx.heading("Money", as_="h2", size="5"),
                rx.cond(
                    State.overview_totals.length() > 0,
                    table(
                        ("Currency", "Pending", "Approved, not paid", "Paid", "Reversed by refunds"),
                        rx.table.body(rx.foreach(State.overview_totals, _totals_row)),
                        label="Commissions by currency and state",
                    ),
                    rx.text("No commissions yet.", color_scheme="gray"),
                ),
                rx.heading("Activity", as_="h2", size="5"),
                rx.flex(
                    figure_card("Affiliates", State.overview_affiliates),
                    figure_card("Clicks in the last 30 days", State.overview_clicks),
                    figure_card("Referred customers", State.overview_referrals),
                    figure_card("Sales recorded", State.overview_sales),
                    figure_card(
                        "Commissions waiting for a decision",
                        State.overview_pending,
                        State.overview_approvable.to_string() + " past their refund window, ready to approve",
                    ),
                    figure_card("Live campaigns", State.overview_campaigns),
                    wrap="wrap",
                    gap="16px",
                ),
                rx.text("Default campaign: ", State.overview_default),
                rx.heading("What to do next", as_="h2", size="5"),
                rx.el.ul(
                    rx.el.li(rx.link("Approve or reject pending earnings", href=f"{ADMIN_BASE}/commissions")),
                    rx.el.li(rx.link("Record a payment you sent", href=f"{ADMIN_BASE}/payouts")),
                    rx.el.li(rx.link("Set the terms of each campaign", href=f"{ADMIN_BASE}/campaigns")),
                    rx.el.li(rx.link("Connect your shop, or enter a sale by hand", href=f"{ADMIN_BASE}/sales")),
                    style={"margin": 0, "paddingLeft": "20px", "display": "grid", "gap": "6px"},
                ),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="5",
        width="100%",
    )
