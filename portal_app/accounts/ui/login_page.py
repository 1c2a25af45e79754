"""/login: email and password, or "Email me a code" (which also serves "Forgot password?")."""

import reflex as rx

from portal_app.accounts.ui.login_state import CODE_MODE, LoginState
from portal_app.shell.ui.forms import field, notice, submit_button
from portal_app.shell.ui.layout import auth_frame
from portal_app.shell.ui.pages import page


def _password_form() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                field(
                    "Email",
                    "email",
                    error=LoginState.error,
                    input_type="email",
                    autocomplete="username",
                    max_length=320,
                ),
                field(
                    "Password",
                    "password",
                    error="",
                    input_type="password",
                    autocomplete="current-password",
                    max_length=256,
                ),
                submit_button("Log in", busy=LoginState.busy),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.submit,
            no_validate=True,
            width="100%",
        ),
        rx.hstack(
            rx.link("Email me a code", href=LoginState.code_href, size="3", weight="medium"),
            rx.link("Forgot password?", href=LoginState.forgot_href, size="2"),
            justify="between",
            align="center",
            width="100%",
            wrap="wrap",
            spacing="3",
        ),
        spacing="4",
        width="100%",
    )


def _request_code_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("We will email you a 6-digit code to log in with, no password needed."),
            field(
                "Email",
                "email",
                error=LoginState.email_error,
                input_type="email",
                autocomplete="username",
                max_length=320,
            ),
            submit_button("Send code", busy=LoginState.busy),
            spacing="4",
            width="100%",
        ),
        on_submit=LoginState.send_code,
        no_validate=True,
        width="100%",
    )


def _enter_code_form() -> rx.Component:
    return rx.vstack(
        rx.text("Enter the 6-digit code we emailed to ", rx.el.strong(LoginState.code_email), "."),
        rx.form(
            rx.vstack(
                field(
                    "Code",
                    "code",
                    error=LoginState.code_error,
                    autocomplete="one-time-code",
                    input_mode="numeric",
                    max_length=6,
                ),
                submit_button("Log in", busy=LoginState.busy),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.submit_code,
            no_validate=True,
            reset_on_submit=True,
            width="100%",
        ),
        rx.button(
            "Send a new code", type="button", variant="soft", size="3", width="100%", on_click=LoginState.resend_code
        ),
        spacing="4",
        width="100%",
    )


def _code_login() -> rx.Component:
    return rx.vstack(
        rx.cond(LoginState.code_email != "", _enter_code_form(), _request_code_form()),
        rx.link("Use your password instead", href=LoginState.password_href, size="2"),
        spacing="4",
        width="100%",
    )


@page("/login", "Log in", on_load=LoginState.load)
def login_page() -> rx.Component:
    return auth_frame(
        "Log in",
        notice(LoginState.notice),
        rx.cond(LoginState.mode == CODE_MODE, _code_login(), _password_form()),
        rx.text("New here? ", rx.link("Create an account", href="/signup"), size="2"),
    )
