"""/security: the signed-in person's password."""

import reflex as rx

from portal_app.accounts.ui.security_state import SecurityState
from portal_app.accounts.ui.signup_page import PASSWORD_HINT
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
    )
