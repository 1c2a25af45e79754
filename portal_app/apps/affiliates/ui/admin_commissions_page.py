"""/admin/apps/affiliates/commissions: commissions by state (pending first), newest first. Tick several (or every
one shown) and approve or reject them at once (a reason is required to reject: the affiliate reads it),
or decide on one row. Those the ledger refused are listed with why (still in the refund window, paid
already, ...) and marked in their row."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.affiliates.models import COMMISSION_STATUSES, MAX_REASON_LENGTH
from portal_app.apps.affiliates.ui.admin_commissions_state import AffiliatesCommissionsAdminState as State
from portal_app.apps.affiliates.ui.admin_common import STATUS_NAMES, caption, error_text, page_header
from portal_app.shell.ui.forms import field, notice

STATUS_OPTIONS = tuple((status, STATUS_NAMES[status]) for status in COMMISSION_STATUSES)


def _filter_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                rx.el.label("Show commissions that are", html_for="commission_status", class_name="portal-label"),
                rx.el.select(
                    *(rx.el.option(text, value=value) for value, text in STATUS_OPTIONS),
                    id="commission_status",
                    name="commission_status",
                    default_value=State.commission_status,
                    class_name="portal-select",
                ),
                spacing="1",
            ),
            rx.button("Show these", type="submit", variant="soft", size="3"),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        key="filter-" + State.commission_status,
        on_submit=State.filter_commissions,
        width="100%",
    )


def _refused_list() -> rx.Component:
    return rx.cond(
        State.refused_rows.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text("Not changed, and why:", weight="medium"),
                rx.el.ul(
                    rx.foreach(State.refused_rows, lambda row: rx.el.li(row.label, ": ", row.why)),
                    style={"margin": 0, "paddingLeft": "20px"},
                ),
                spacing="1",
            ),
            icon="triangle_alert",
            color_scheme="orange",
            role="status",
            width="100%",
        ),
    )


def _decidable():
    return (State.commission_status == "pending") | (State.commission_status == "approved")


def _bulk_tools() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Decide on the ticked ones", as_="h2", size="4"),
            rx.hstack(
                rx.checkbox(
                    "Select all shown",
                    checked=State.all_shown_selected,
                    on_change=State.toggle_all_shown,
                    disabled=State.commission_rows.length() == 0,
                ),
                rx.text(State.selected_count, " ticked", size="2", color_scheme="gray", aria_live="polite"),
                rx.cond(
                    State.commission_status == "pending",
                    rx.button("Approve selected", color_scheme="green", on_click=State.approve_selected),
                ),
                align="center",
                spacing="4",
                wrap="wrap",
            ),
            error_text(State.selection_error, "selection"),
            rx.form(
                rx.hstack(
                    rx.box(
                        field(
                            "Reason for rejecting (the affiliate reads it)",
                            "reject_reason",
                            error=State.reject_reason_error,
                            max_length=MAX_REASON_LENGTH,
                            autocomplete="off",
                        ),
                        flex="1",
                        min_width="260px",
                    ),
                    rx.button("Reject selected", type="submit", color_scheme="red", variant="soft", size="3"),
                    align="end",
                    spacing="3",
                    width="100%",
                    wrap="wrap",
                ),
                key="reject-" + State.reject_version.to_string(),
                on_submit=State.reject_selected,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.cond(
            _decidable(),
            rx.table.cell(
                rx.checkbox(
                    checked=State.selected_ids.contains(row.id_text),
                    on_change=State.toggle_commission(row.id_text),
                    aria_label="Select " + row.label,
                )
            ),
        ),
        rx.table.row_header_cell(rx.text("#", row.id_text, weight="medium"), rx.text(row.created, size="1")),
        rx.table.cell(
            rx.text(row.affiliate),
            rx.text(row.affiliate_email, " · ", row.code, size="1", color_scheme="gray"),
        ),
        rx.table.cell(rx.text(row.amount, weight="medium")),
        rx.table.cell(rx.text(row.sale), rx.text(row.campaign, size="1", color_scheme="gray")),
        rx.table.cell(
            rx.text(row.status_name),
            rx.text(row.note, size="1", color_scheme="gray"),
            rx.cond(row.refused != "", rx.text("Not changed: ", row.refused, size="1", color_scheme="red")),
        ),
        rx.table.cell(_actions(row)),
    )


def _actions(row) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row.status == "pending",
            rx.button(
                "Approve",
                size="1",
                variant="soft",
                color_scheme="green",
                high_contrast=True,
                aria_label="Approve " + row.label,
                on_click=State.approve_one(row.id_text),
            ),
        ),
        rx.cond(row.may_reject, _reject_one(row)),
        spacing="2",
    )


def _card(row) -> rx.Component:
    """One commission on a phone: the table's columns stacked, so nothing hides past the screen's edge."""
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    _decidable(),
                    rx.checkbox(
                        checked=State.selected_ids.contains(row.id_text),
                        on_change=State.toggle_commission(row.id_text),
                        aria_label="Select " + row.label,
                    ),
                ),
                rx.text("#", row.id_text, weight="bold"),
                rx.text(row.created, size="2", color_scheme="gray"),
                rx.spacer(),
                rx.text(row.amount, weight="bold"),
                align="center",
                width="100%",
                spacing="2",
            ),
            rx.text(row.affiliate, " · ", row.code, size="2"),
            rx.text(row.affiliate_email, size="1", color_scheme="gray", style={"overflow_wrap": "anywhere"}),
            rx.text(row.sale, " · ", row.campaign, size="1", color_scheme="gray"),
            rx.text(row.status_name, size="2", weight="medium"),
            rx.cond(row.note != "", rx.text(row.note, size="1", color_scheme="gray")),
            rx.cond(row.refused != "", rx.text("Not changed: ", row.refused, size="1", color_scheme="red")),
            _actions(row),
            spacing="1",
            width="100%",
        ),
        key=row.id_text,
        style={"list_style": "none", "padding": "12px 0", "border_bottom": "1px solid var(--gray-a5)"},
    )


def _reject_one(row) -> rx.Component:
    """The row's "Reject" button and its dialog, which asks for the reason (the affiliate reads it)."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button("Reject", size="1", variant="soft", color_scheme="red", aria_label="Reject " + row.label)
        ),
        rx.dialog.content(
            rx.dialog.title("Reject ", row.label, "?"),
            rx.dialog.description(
                "The affiliate (", row.affiliate, ") sees the commission as rejected, with your reason."
            ),
            rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="commission_id", value=row.id_text),
                    rx.vstack(
                        rx.el.label(
                            "Reason (the affiliate reads it)", html_for="reject_one_reason", class_name="portal-label"
                        ),
                        rx.input(
                            id="reject_one_reason",
                            name="reason",
                            max_length=MAX_REASON_LENGTH,
                            auto_focus=True,
                            aria_describedby="reject_one_reason-error",
                            aria_invalid=rx.cond(State.reject_one_error != "", "true", "false"),
                            width="100%",
                            size="3",
                        ),
                        error_text(State.reject_one_error, "reject_one_reason"),
                        spacing="1",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Keep the commission", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Confirm rejection", type="submit", color_scheme="red"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=State.reject_one,
                width="100%",
            ),
        ),
        open=State.reject_one_id == row.id_text,
        on_open_change=State.reject_one_dialog(row.id_text),
    )


def affiliates_commissions_admin_page() -> rx.Component:
    return rx.vstack(
        page_header(
            "Commissions",
            "Commissions",
            "What affiliates earned, newest first. A commission can be approved once its refund window is over; "
            "approved ones are paid on the payouts page.",
        ),
        _filter_form(),
        notice(State.commissions_notice),
        error_text(State.commissions_error, "commissions"),
        _refused_list(),
        rx.cond(_decidable(), _bulk_tools()),
        rx.cond(
            State.commissions_loaded,
            rx.vstack(
                rx.box(
                    rx.table.root(
                        caption("Commissions"),
                        rx.table.header(
                            rx.table.row(
                                rx.cond(
                                    _decidable(),
                                    rx.table.column_header_cell(rx.el.span("Ticked", class_name="sr-only")),
                                ),
                                rx.table.column_header_cell("Commission"),
                                rx.table.column_header_cell("Affiliate"),
                                rx.table.column_header_cell("Amount"),
                                rx.table.column_header_cell("Sale"),
                                rx.table.column_header_cell("State"),
                                rx.table.column_header_cell(rx.el.span("Actions", class_name="sr-only")),
                            )
                        ),
                        rx.table.body(rx.foreach(State.commission_rows, _row)),
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                    # Phones get the cards below instead.
                    display=["none", "none", "block"],
                ),
                rx.el.ul(
                    rx.foreach(State.commission_rows, _card),
                    aria_label="Commissions",
                    style={"margin": 0, "padding": 0, "width": "100%"},
                    display=["block", "block", "none"],
                ),
                rx.cond(
                    State.commission_rows.length() == 0,
                    rx.text("No commissions in this state.", color_scheme="gray"),
                ),
                rx.cond(
                    State.commissions_more,
                    rx.button("Show older ones", variant="soft", on_click=State.older_commissions),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
