"""/admin: invited vs joined, and signups per week."""

from __future__ import annotations

import reflex as rx

from portal_app.admin.ui.dashboard_state import AdminDashboardState
from portal_app.admin.ui.dashboard_state import AdminDashboardState as State
from portal_app.admin.ui.frame import admin_frame
from portal_app.shell.ui.pages import page


def _number(label: str, value, hint: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="8", weight="bold"),
            rx.text(hint, size="1", color_scheme="gray"),
            spacing="1",
        ),
        min_width="180px",
    )


def _bar(width, color: str) -> rx.Component:
    return rx.box(width=width, height="10px", background=color, border_radius="3px", min_width="2px")


def _week_row(week) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(week["week"]),
        rx.table.cell(week["signups"]),
        rx.table.cell(week["invitations"]),
        rx.table.cell(
            rx.vstack(
                _bar(week["signups_width"], "var(--indigo-9)"),
                _bar(week["invitations_width"], "var(--amber-9)"),
                spacing="1",
                aria_hidden="true",
            ),
            width="40%",
        ),
    )


@page("/admin", "Admin: dashboard", on_load=AdminDashboardState.load, admin_menu="Dashboard", menu_order=10)
def admin_dashboard_page() -> rx.Component:
    return admin_frame(
        "Dashboard",
        rx.heading("Dashboard", as_="h1", size="7"),
        rx.flex(
            _number("Invited", State.invited, "accounts the business created"),
            _number("Invited and joined", State.invited_joined, "signed in at least once"),
            _number("Invited, not yet joined", State.invited_waiting, "waiting for a first sign-in"),
            _number("Signed up", State.signed_up, "accounts people made themselves"),
            _number("Joined in all", State.joined, "signed up, or invited and signed in"),
            wrap="wrap",
            gap="3",
        ),
        rx.heading("New accounts per week (last 12 weeks)", as_="h2", size="5"),
        rx.text("Bars: signups in indigo, invitations in amber.", size="2", color_scheme="gray"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Week starting (Monday, UTC)"),
                    rx.table.column_header_cell("Signups"),
                    rx.table.column_header_cell("Invitations"),
                    rx.table.column_header_cell(rx.el.span("Chart", class_name="sr-only")),
                )
            ),
            rx.table.body(rx.foreach(State.weeks, _week_row)),
            width="100%",
        ),
    )
