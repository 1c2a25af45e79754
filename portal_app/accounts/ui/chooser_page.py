"""/accounts: the account chooser."""

import reflex as rx

from portal_app.accounts.ui.chooser_state import AccountChoiceState
from portal_app.shell.ui.layout import auth_frame
from portal_app.shell.ui.pages import page


def _account_card(account) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(account["name"], weight="bold", size="4"),
                rx.text("Apps: ", account["apps"], size="2"),
                rx.text(
                    "Created ", account["created"], " · Last used ", account["last_used"], size="2", color_scheme="gray"
                ),
                spacing="1",
                align="start",
            ),
            # Pushed to the right edge whether it shares the details' line or wraps below them (a spacer
            # would stay on the first line when the details leave room for it, and the button go left).
            rx.button(
                "Continue",
                aria_label="Continue as " + account["name"],
                size="3",
                margin_left="auto",
                on_click=AccountChoiceState.choose(account["id"]),
            ),
            align="center",
            width="100%",
            wrap="wrap",
            spacing="3",
        ),
        width="100%",
    )


def _chooser() -> rx.Component:
    return rx.vstack(
        rx.text("Several accounts use ", rx.el.strong(AccountChoiceState.email), ". Which one do you want to open?"),
        rx.foreach(AccountChoiceState.accounts, _account_card),
        rx.checkbox(
            "Remember my choice",
            checked=AccountChoiceState.remember,
            on_change=AccountChoiceState.set_remember,
            size="2",
        ),
        rx.text(AccountChoiceState.error, id="account-error", color_scheme="red", size="2", role="alert"),
        spacing="4",
        width="100%",
    )


@page("/accounts", "Choose an account", on_load=AccountChoiceState.load)
def accounts_page() -> rx.Component:
    return auth_frame(
        "Choose an account",
        rx.match(
            AccountChoiceState.status,
            ("open", _chooser()),
            ("missing", rx.text("This choice has expired. ", rx.link("Log in", href="/login"), " again.")),
            rx.center(rx.spinner(size="3")),
        ),
    )
