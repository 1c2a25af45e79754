"""/admin/login: step 1 email and password, step 2 the emailed code."""

from __future__ import annotations

import reflex as rx

from portal_app.admin.ui.login_state import CODE_STEP, AdminLoginState
from portal_app.shell.ui.forms import field, notice, submit_button
from portal_app.shell.ui.layout import auth_frame
from portal_app.shell.ui.pages import page


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Email",
                "email",
                error=AdminLoginState.error,
                input_type="email",
                autocomplete="username",
                max_length=320,
            ),
            field(
                "Password", "password", error="", input_type="password", autocomplete="current-password", max_length=256
            ),
            submit_button("Continue", busy=AdminLoginState.busy),
            spacing="4",
            width="100%",
        ),
        on_submit=AdminLoginState.submit_password,
        no_validate=True,
        reset_on_submit=False,
        width="100%",
    )


def _code_form() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                field(
                    "Code",
                    "code",
                    error=AdminLoginState.code_error,
                    autocomplete="one-time-code",
                    input_mode="numeric",
                    max_length=6,
                ),
                submit_button("Sign in", busy=AdminLoginState.busy),
                spacing="4",
                width="100%",
            ),
            on_submit=AdminLoginState.submit_code,
            no_validate=True,
            reset_on_submit=True,
            width="100%",
        ),
        rx.button("Start again", type="button", variant="ghost", size="2", on_click=AdminLoginState.start_again),
        spacing="4",
        width="100%",
    )


@page("/admin/login", "Admin sign-in", on_load=AdminLoginState.load)
def admin_login_page() -> rx.Component:
    return auth_frame(
        "Admin sign-in",
        notice(AdminLoginState.notice),
        rx.cond(AdminLoginState.step == CODE_STEP, _code_form(), _password_form()),
    )
