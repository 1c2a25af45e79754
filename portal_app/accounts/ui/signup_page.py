"""/signup: create an account (pending until the emailed code is entered)."""

import reflex as rx

from portal_app.accounts.ui.signup_state import SignupState
from portal_app.shell.ui.forms import field, submit_button
from portal_app.shell.ui.layout import auth_frame
from portal_app.shell.ui.pages import page

PASSWORD_HINT = "At least 10 characters. Avoid common passwords and your email address."


@page("/signup", "Sign up", on_load=SignupState.load)
def signup_page() -> rx.Component:
    return auth_frame(
        "Create your account",
        rx.form(
            rx.vstack(
                field("Full name", "full_name", error=SignupState.full_name_error, autocomplete="name"),
                field("Email", "email", error=SignupState.email_error, input_type="email", autocomplete="email"),
                field(
                    "Password",
                    "password",
                    error=SignupState.password_error,
                    input_type="password",
                    hint=PASSWORD_HINT,
                    autocomplete="new-password",
                ),
                submit_button("Sign up", busy=SignupState.busy),
                spacing="4",
                width="100%",
            ),
            on_submit=SignupState.submit,
            no_validate=True,
            width="100%",
        ),
        rx.text("Already have an account? ", rx.link("Log in", href="/login"), size="2"),
    )
