"""/magic: where the link in a sign-in email lands."""

import reflex as rx

from portal_app.accounts.ui.magic_state import MagicLinkState
from portal_app.shell.ui.forms import notice
from portal_app.shell.ui.layout import auth_frame
from portal_app.shell.ui.pages import page


def _valid() -> rx.Component:
    return rx.vstack(
        rx.text("This link signs in ", rx.text.strong(MagicLinkState.masked_email), " on this device."),
        rx.text(
            "If that is not your email address, do not continue: someone else sent you their link.",
            size="2",
            color_scheme="gray",
        ),
        rx.button(
            "Continue as " + MagicLinkState.masked_email,
            size="3",
            width="100%",
            loading=MagicLinkState.busy,
            on_click=MagicLinkState.continue_sign_in,
        ),
        spacing="4",
        width="100%",
    )


def _spent(message: str) -> rx.Component:
    return rx.vstack(
        rx.text(message),
        rx.button("Send a new link", size="3", width="100%", variant="soft", on_click=MagicLinkState.send_new_link),
        spacing="4",
        width="100%",
    )


@page("/magic", "Sign in", on_load=MagicLinkState.load)
def magic_page() -> rx.Component:
    return auth_frame(
        "Sign in",
        notice(MagicLinkState.notice),
        rx.match(
            MagicLinkState.status,
            ("valid", _valid()),
            ("used", _spent("This link was already used. Links work once.")),
            ("expired", _spent("This link has expired or a newer email replaced it.")),
            ("unknown", rx.text("This link is not valid. ", rx.link("Log in", href="/login"), " to get a new one.")),
            rx.center(rx.spinner(size="3")),
        ),
        rx.text(MagicLinkState.error, id="link-error", color_scheme="red", size="2", role="alert"),
    )
