"""/admin/contacts: search, one account's details and actions, and the invitation form."""

from __future__ import annotations

import reflex as rx

from portal_app.admin.ui.contacts_state import AdminContactsState
from portal_app.admin.ui.contacts_state import AdminContactsState as State
from portal_app.admin.ui.frame import admin_frame, pager
from portal_app.apps import registry
from portal_app.shell.ui.forms import field, notice
from portal_app.shell.ui.pages import page


def _search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.label("Search by name or email", html_for="query", class_name="sr-only"),
            rx.input(
                id="query", name="query", placeholder="Search by name or email", max_length=200, width="100%", size="3"
            ),
            rx.button("Search", type="submit", size="3"),
            width="100%",
        ),
        on_submit=State.search,
        width="100%",
    )


def _row(row) -> rx.Component:
    # The name opens the account, so the action stays in reach on a phone, where the table scrolls.
    return rx.table.row(
        rx.table.row_header_cell(
            rx.button(
                row["name"],
                variant="ghost",
                size="2",
                on_click=State.open_account(row["id"]),
                aria_label="Open " + row["name"],
                style={"textAlign": "left", "height": "auto", "whiteSpace": "normal"},
            )
        ),
        rx.table.cell(row["email"]),
        rx.table.cell(row["status"]),
        rx.table.cell(row["apps"]),
        rx.table.cell(row["created"], white_space="nowrap"),
    )


def _results() -> rx.Component:
    return rx.cond(
        State.total > 0,
        rx.vstack(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Email"),
                        rx.table.column_header_cell("Status"),
                        rx.table.column_header_cell("Apps"),
                        rx.table.column_header_cell("Created"),
                    )
                ),
                rx.table.body(rx.foreach(State.rows, _row)),
                width="100%",
            ),
            pager(State.page, State.pages, State.total, State.go_to_page),
            width="100%",
            spacing="3",
        ),
        rx.text("No accounts match."),
    )


def _app_row(app) -> rx.Component:
    return rx.hstack(
        rx.text(app["title"], weight="medium", min_width="180px"),
        rx.cond(
            app["granted"] == "yes",
            rx.hstack(
                rx.badge("Granted", color_scheme="green"),
                rx.cond(
                    app["roles"] != "",
                    rx.el.select(
                        rx.foreach(app["roles"].split(","), lambda role: rx.el.option(role, value=role)),
                        value=app["role"],
                        aria_label="Role in " + app["title"],
                        class_name="portal-select",
                        on_change=lambda role: State.set_role(State.detail_id, app["key"], role),
                    ),
                ),
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label="Revoke " + app["title"],
                    on_click=State.revoke_app(State.detail_id, app["key"]),
                ),
                align="center",
            ),
            rx.hstack(
                rx.badge("No access", color_scheme="gray"),
                rx.button(
                    "Grant",
                    size="1",
                    variant="soft",
                    aria_label="Grant " + app["title"],
                    on_click=State.grant_app(State.detail_id, app["key"]),
                ),
                align="center",
            ),
        ),
        align="center",
        spacing="3",
    )


def _fact(fact) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(fact["label"]), rx.data_list.value(fact["value"]))


def _activity_row(entry) -> rx.Component:
    return rx.table.row(
        rx.table.cell(entry["at"], white_space="nowrap"), rx.table.cell(entry["app"]), rx.table.cell(entry["summary"])
    )


def _detail() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(State.detail_name, as_="h2", size="5"),
                rx.badge(State.detail_status),
                rx.spacer(),
                rx.button("Close", size="1", variant="ghost", on_click=State.close_account),
                align="center",
                width="100%",
            ),
            rx.text(State.detail_email, color_scheme="gray"),
            rx.data_list.root(rx.foreach(State.detail_facts, _fact)),
            rx.heading("Apps", as_="h3", size="4"),
            rx.vstack(rx.foreach(State.detail_apps, _app_row), spacing="2"),
            rx.heading("Account", as_="h3", size="4"),
            rx.cond(
                State.detail_disabled,
                rx.button("Enable account", variant="soft", on_click=State.enable_account(State.detail_id)),
                rx.button(
                    "Disable account (signs it out)",
                    variant="soft",
                    color_scheme="red",
                    on_click=State.disable_account(State.detail_id),
                ),
            ),
            rx.heading("Sign-in locks", as_="h3", size="4"),
            rx.cond(
                State.detail_locks.length() > 0,
                rx.vstack(
                    rx.el.ul(
                        rx.foreach(
                            State.detail_locks,
                            lambda lock: rx.el.li(rx.text(lock["what"], " ", lock["until"], size="2")),
                        ),
                        style={"margin": 0, "padding_left": "1.2em"},
                    ),
                    rx.button("Lift sign-in locks", variant="soft", on_click=State.lift_locks(State.detail_id)),
                    spacing="2",
                ),
                rx.text("No sign-in lock.", color_scheme="gray", size="2"),
            ),
            rx.heading("Recent activity", as_="h3", size="4"),
            rx.cond(
                State.detail_activity.length() > 0,
                rx.table.root(rx.table.body(rx.foreach(State.detail_activity, _activity_row)), width="100%", size="1"),
                rx.text("No activity yet.", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _invite_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Invite a client", as_="h2", size="5"),
                rx.text("Creates an account with these apps and emails a login code.", size="2", color_scheme="gray"),
                notice(State.invite_notice),
                field("Full name", "full_name", error=State.invite_errors["full_name"], max_length=100),
                field("Email", "email", error=State.invite_errors["email"], input_type="email", max_length=320),
                rx.el.fieldset(
                    rx.el.legend("Apps", class_name="portal-label"),
                    rx.flex(
                        *(rx.checkbox(title, name=f"apps.{key}") for key, title in registry.app_choices().items()),
                        wrap="wrap",
                        gap="4",
                        padding_y="6px",
                    ),
                    rx.text(
                        State.invite_errors["apps"], size="2", color_scheme="red", role="alert", aria_live="polite"
                    ),
                    style={"border": "none", "padding": 0, "margin": 0},
                ),
                rx.button("Send invitation", type="submit", size="3"),
                spacing="3",
                width="100%",
            ),
            key=State.invite_version,
            on_submit=State.invite,
            no_validate=True,
            width="100%",
        ),
        width="100%",
    )


@page("/admin/contacts", "Admin: contacts", on_load=AdminContactsState.load, admin_menu="Contacts", menu_order=20)
def admin_contacts_page() -> rx.Component:
    return admin_frame(
        "Contacts",
        rx.heading("Contacts", as_="h1", size="7"),
        notice(State.message),
        rx.cond(State.error != "", rx.callout(State.error, icon="triangle_alert", color_scheme="red", role="alert")),
        _search_form(),
        _results(),
        rx.cond(State.detail_id != "", _detail()),
        _invite_form(),
    )
