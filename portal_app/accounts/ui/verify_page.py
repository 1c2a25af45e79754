"""/verify: enter the emailed code. Works after a reload or in a new tab (the signup is in a cookie)."""

import reflex as rx

from portal_app.accounts.ui.signup_state import VerifyState
from portal_app.shell.ui.forms import field, notice, submit_button
from portal_app.shell.ui.layout import auth_frame
from portal_app.shell.ui.pages import page


def _resend_button() -> rx.Component:
    return rx.button(
        rx.cond(VerifyState.resend_wait > 0, f"Resend code in {VerifyState.resend_wait} s", "Resend code"),
        type="button",
        variant="soft",
        size="3",
        width="100%",
        disabled=VerifyState.resend_wait > 0,
        on_click=VerifyState.resend,
    )


def _verify_form() -> rx.Component:
    return rx.vstack(
        rx.text(
            "We sent a 6-digit code to ",
            rx.el.strong(VerifyState.email),
            ". Check your spam or junk folder too. The code expires in ",
            VerifyState.code_minutes,
            " minutes.",
            id="verify-instructions",
        ),
        notice(VerifyState.notice),
        rx.form(
            rx.vstack(
                field(
                    "Verification code",
                    "code",
                    error=VerifyState.code_error,
                    autocomplete="one-time-code",
                    input_mode="numeric",
                    max_length=6,
                ),
                submit_button("Verify", busy=VerifyState.busy),
                spacing="4",
                width="100%",
            ),
            on_submit=VerifyState.verify,
            no_validate=True,
            reset_on_submit=True,
            width="100%",
        ),
        _resend_button(),
        spacing="4",
        width="100%",
        align="stretch",
    )


def _missing() -> rx.Component:
    return rx.vstack(
        rx.text("There is no signup waiting for a code in this browser. It may have expired or already be complete."),
        rx.hstack(rx.link("Sign up", href="/signup"), rx.text("or"), rx.link("Log in", href="/login"), spacing="2"),
        spacing="3",
    )


@page("/verify", "Verify your email", on_load=VerifyState.load)
def verify_page() -> rx.Component:
    return auth_frame(
        "Verify your email",
        rx.match(
            VerifyState.status,
            ("found", _verify_form()),
            ("missing", _missing()),
            rx.center(rx.spinner(size="3")),
        ),
    )
