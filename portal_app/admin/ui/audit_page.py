"""/admin/audit: the audit log, newest first."""

from __future__ import annotations

import reflex as rx

from portal_app.admin.ui.audit_state import AdminAuditState
from portal_app.admin.ui.audit_state import AdminAuditState as State
from portal_app.admin.ui.frame import admin_frame, pager
from portal_app.shell.ui.pages import page


def _entry_row(entry) -> rx.Component:
    return rx.table.row(
        rx.table.cell(entry["at"], white_space="nowrap"),
        rx.table.cell(entry["actor"]),
        rx.table.cell(entry["action"]),
        rx.table.cell(entry["target"]),
        rx.table.cell(rx.code(entry["detail"], size="1", style={"wordBreak": "break-word"})),
    )


@page("/admin/audit", "Admin: audit log", on_load=AdminAuditState.load, admin_menu="Audit", menu_order=40)
def admin_audit_page() -> rx.Component:
    return admin_frame(
        "Audit",
        rx.heading("Audit log", as_="h1", size="7"),
        rx.text("Every change made in the admin area or with the portal command, newest first.", color_scheme="gray"),
        rx.cond(
            State.total > 0,
            rx.vstack(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("When"),
                            rx.table.column_header_cell("Who"),
                            rx.table.column_header_cell("What"),
                            rx.table.column_header_cell("Target"),
                            rx.table.column_header_cell("Detail"),
                        )
                    ),
                    rx.table.body(rx.foreach(State.entries, _entry_row)),
                    width="100%",
                ),
                pager(State.page, State.pages, State.total, State.go_to_page),
                width="100%",
                spacing="3",
            ),
            rx.text("No changes recorded yet."),
        ),
    )
