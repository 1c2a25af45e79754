"""/admin/apps/affiliates/affiliates: every affiliate, newest first, with their referral code, how many
customers they referred and their commissions pending, approved (not yet paid) and paid, per currency."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.affiliates.admin_views import MAX_QUERY_LENGTH
from portal_app.apps.affiliates.ui.admin_affiliates_state import AffiliatesListAdminState as State
from portal_app.apps.affiliates.ui.admin_common import page_header, table
from portal_app.shell.ui.forms import field


def _search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(
                field(
                    "Find by name, email or referral code",
                    "affiliate_query",
                    error="",
                    default_value=State.affiliate_query,
                    max_length=MAX_QUERY_LENGTH,
                    autocomplete="off",
                ),
                flex="1",
                min_width="240px",
            ),
            rx.button("Search", type="submit", variant="soft", size="3"),
            align="end",
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        role="search",
        on_submit=State.search_affiliates,
        width="100%",
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.name, weight="medium"), rx.text(row.email, size="1", color_scheme="gray")),
        rx.table.cell(rx.code(row.code)),
        rx.table.cell(row.joined),
        rx.table.cell(row.referrals),
        rx.table.cell(row.pending),
        rx.table.cell(row.approved),
        rx.table.cell(row.paid),
    )


def affiliates_list_admin_page() -> rx.Component:
    return rx.vstack(
        page_header(
            "Affiliates",
            "Affiliates",
            "Everyone in the programme, newest first. A client joins when they first open Affiliate Manager.",
        ),
        _search_form(),
        rx.cond(
            State.affiliates_loaded,
            rx.vstack(
                table(
                    ("Affiliate", "Code", "Joined", "Referred", "Pending", "Approved, not paid", "Paid"),
                    rx.table.body(rx.foreach(State.affiliate_rows, _row)),
                    label="Affiliates",
                ),
                rx.cond(
                    State.affiliate_rows.length() == 0,
                    rx.text(
                        rx.cond(State.affiliate_query != "", "Nobody matches that search.", "No affiliates yet."),
                        color_scheme="gray",
                    ),
                ),
                rx.cond(
                    State.affiliates_more,
                    rx.button("Show more affiliates", variant="soft", on_click=State.more_affiliates),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
