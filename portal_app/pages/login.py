"""/login: email and password."""

import reflex as rx

from portal_app.components.forms import field, notice, submit_button
from portal_app.components.layout import auth_frame
from portal_app.states.login import LoginState


def login_page() -> rx.Component:
    return auth_frame(
        "Log in",
        notice(LoginState.notice),
        rx.form(
            rx.vstack(
                field("Email", "email", error=LoginState.error, input_type="email", autocomplete="username"),
                field("Password", "password", error="", input_type="password", autocomplete="current-password"),
                submit_button("Log in", busy=LoginState.busy),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.submit,
            no_validate=True,
            width="100%",
        ),
        rx.text("New here? ", rx.link("Create an account", href="/signup"), size="2"),
    )
