"""/security: the signed-in person's password, the browsers signed in to the account, and its security log."""

import reflex as rx

from portal_app.accounts.ui.security_state import SecurityState
from portal_app.accounts.ui.signup_page import PASSWORD_HINT
from portal_app.privacy import account_deletion
from portal_app.shell.ui.forms import field, notice, submit_button
from portal_app.shell.ui.pages import page
from portal_app.shell.ui.portal_frame import portal_frame
from portal_app.shell.ui.session_state import SessionState


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                SecurityState.current_required,
                field(
                    "Current password",
                    "current_password",
                    error=SecurityState.current_password_error,
                    input_type="password",
                    autocomplete="current-password",
                    max_length=256,
                ),
            ),
            field(
                "New password",
                "new_password",
                error=SecurityState.new_password_error,
                input_type="password",
                hint=PASSWORD_HINT,
                autocomplete="new-password",
                max_length=256,
            ),
            submit_button("Save password", busy=SecurityState.busy),
            spacing="4",
            width="100%",
        ),
        on_submit=SecurityState.save_password,
        no_validate=True,
        reset_on_submit=True,
        width="100%",
    )


def _browser(browser) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(browser["browser"], weight="bold"),
                    rx.cond(browser["current"] != "", rx.badge("This browser", color_scheme="green")),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(browser["place"], " · ", browser["ip"], size="2", color_scheme="gray"),
                rx.text(
                    "Signed in ",
                    browser["signed_in"],
                    " (",
                    browser["method"],
                    ") · last active ",
                    browser["last_active"],
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.cond(
                browser["current"] == "",
                rx.button(
                    "Sign out",
                    size="2",
                    variant="soft",
                    color_scheme="red",
                    aria_label="Sign out " + browser["browser"] + ", " + browser["place"],
                    on_click=SecurityState.sign_out_browser(browser["id"]),
                ),
            ),
            width="100%",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        style={"list_style": "none", "padding": "12px 0", "border_bottom": "1px solid var(--gray-a5)"},
        key=browser["id"],
    )


def _browsers_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Where you're signed in", as_="h2", size="5"),
            notice(SecurityState.browsers_notice),
            rx.el.ul(rx.foreach(SecurityState.browsers, _browser), style={"margin": 0, "padding": 0, "width": "100%"}),
            rx.cond(
                SecurityState.browsers.length() > 1,
                rx.button(
                    "Sign out everywhere else",
                    variant="soft",
                    color_scheme="red",
                    on_click=SecurityState.sign_out_everywhere_else,
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        max_width="720px",
        size="3",
    )


def _event_row(event) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event["when"], white_space="nowrap"),
        rx.table.row_header_cell(
            rx.text(event["what"], weight="medium"),
            rx.cond(event["detail"] != "", rx.text(event["detail"], size="1", color_scheme="gray")),
        ),
        rx.table.cell(event["how"]),
        rx.table.cell(event["where"]),
    )


def _event_item(event) -> rx.Component:
    """One event on a phone: the table's columns stacked."""
    return rx.el.li(
        rx.text(event["what"], weight="medium", size="2"),
        rx.cond(event["detail"] != "", rx.text(event["detail"], size="1", color_scheme="gray")),
        rx.text(event["when"], rx.cond(event["how"] != "", " · " + event["how"], ""), size="1", color_scheme="gray"),
        rx.cond(event["where"] != "", rx.text(event["where"], size="1", color_scheme="gray")),
        style={"list_style": "none", "padding": "8px 0", "border_bottom": "1px solid var(--gray-a5)"},
    )


def _events_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Security activity", as_="h2", size="5"),
            rx.text(
                "Sign-ins, failed attempts, password and email changes and locks on your account, newest first.",
                size="2",
                color_scheme="gray",
            ),
            rx.box(
                rx.table.root(
                    rx.el.caption("Security activity", class_name="sr-only"),
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("When"),
                            rx.table.column_header_cell("What"),
                            rx.table.column_header_cell("How"),
                            rx.table.column_header_cell("Where"),
                        )
                    ),
                    rx.table.body(rx.foreach(SecurityState.events, _event_row)),
                    width="100%",
                    size="1",
                ),
                overflow_x="auto",
                width="100%",
                # Phones get the list below instead.
                display=["none", "none", "block"],
            ),
            rx.el.ul(
                rx.foreach(SecurityState.events, _event_item),
                aria_label="Security activity",
                style={"margin": 0, "padding": 0, "width": "100%"},
                display=["block", "block", "none"],
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        max_width="720px",
        size="3",
    )


def _data_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your data", as_="h2", size="5"),
            rx.text(
                "Download everything this portal and its apps hold about your account, as JSON and CSV files in a "
                "zip. We prepare it in the background and email you a link that works for a week while you are "
                "signed in.",
                size="2",
                color_scheme="gray",
            ),
            notice(SecurityState.export_notice),
            rx.cond(SecurityState.export_status != "", rx.text(SecurityState.export_status, size="2")),
            rx.button("Download my data", variant="soft", on_click=SecurityState.request_data_download),
            spacing="3",
            width="100%",
            align="start",
        ),
        width="100%",
        max_width="720px",
        size="3",
    )


def _delete_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Delete my account", as_="h2", size="5"),
            rx.text("Deleting your account cannot be undone. It removes:", size="2"),
            rx.el.ul(*(rx.el.li(rx.text(item, size="2")) for item in account_deletion.what_goes())),
            rx.text("The business keeps:", size="2"),
            rx.el.ul(*(rx.el.li(rx.text(item, size="2")) for item in account_deletion.what_stays())),
            notice(SecurityState.delete_notice),
            rx.cond(
                SecurityState.delete_step == "code",
                rx.form(
                    rx.vstack(
                        field(
                            "Code to delete my account",
                            "code",
                            error=SecurityState.delete_error,
                            autocomplete="one-time-code",
                            max_length=12,
                        ),
                        rx.button("Delete my account", type="submit", color_scheme="red", size="3"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=SecurityState.delete_account,
                    no_validate=True,
                    width="100%",
                ),
                rx.vstack(
                    rx.cond(
                        SecurityState.delete_error != "",
                        rx.text(SecurityState.delete_error, color_scheme="red", size="2", role="alert"),
                    ),
                    rx.button(
                        "Email me a code to delete my account",
                        variant="soft",
                        color_scheme="red",
                        on_click=SecurityState.send_delete_code,
                    ),
                    align="start",
                ),
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        width="100%",
        max_width="720px",
        size="3",
    )


@page("/security", "Security", on_load=[SessionState.require_account, SecurityState.load])
def security_page() -> rx.Component:
    return portal_frame(
        rx.heading("Security", as_="h1", size="7"),
        rx.card(
            rx.vstack(
                rx.heading(
                    rx.cond(SecurityState.current_required, "Change your password", "Set a new password"),
                    as_="h2",
                    size="5",
                ),
                rx.cond(
                    SecurityState.has_password,
                    rx.text("Saving a new password signs out your other devices.", size="2", color_scheme="gray"),
                    rx.text(
                        "Your account has no password yet: you sign in with emailed codes. Set one to log in with it too.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                notice(SecurityState.notice),
                _password_form(),
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width="520px",
            size="3",
        ),
        _browsers_card(),
        _events_card(),
        _data_card(),
        _delete_card(),
    )
