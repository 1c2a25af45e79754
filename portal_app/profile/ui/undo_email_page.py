"""/profile/undo-email: where the "This wasn't me" link in an email-changed notice lands."""

import reflex as rx

from portal_app.profile.ui.undo_email_state import UndoEmailChangeState
from portal_app.shell.ui.layout import auth_frame
from portal_app.shell.ui.pages import page


def _valid() -> rx.Component:
    state = UndoEmailChangeState
    return rx.vstack(
        rx.text(
            "Your account's email was changed from ",
            rx.el.strong(state.old_email),
            " to ",
            rx.el.strong(state.new_email),
            ". If that wasn't you, undo it:",
        ),
        rx.el.ul(
            rx.el.li("your account's email goes back to ", rx.el.strong(state.old_email), ";"),
            rx.el.li("every device signed in to it is signed out;"),
            rx.el.li("its password is removed, since whoever did this may know it;"),
            rx.el.li("we email you a code to sign in, so you can set a new password."),
            style={"margin": "0", "paddingLeft": "1.25em", "listStyleType": "disc"},
        ),
        rx.button(
            "Undo the change",
            size="3",
            width="100%",
            color_scheme="red",
            loading=state.busy,
            disabled=state.busy,
            on_click=UndoEmailChangeState.undo,
        ),
        spacing="4",
        width="100%",
    )


def _done() -> rx.Component:
    state = UndoEmailChangeState
    return rx.callout.root(
        rx.callout.icon(rx.icon("shield-check")),
        rx.vstack(
            rx.text(
                "Done. Your account's email is ",
                rx.el.strong(state.old_email),
                " again. We signed out every device and removed the password.",
            ),
            rx.text(
                "We emailed ",
                rx.el.strong(state.old_email),
                " a code and a link to sign in. Once in, go to Security and set a new password.",
            ),
            rx.link("Go to the login page", href="/login"),
            spacing="2",
        ),
        id="undo-done",
        color_scheme="green",
        role="status",
        width="100%",
    )


def _cannot(*extra: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(UndoEmailChangeState.message, id="undo-message"), *extra, spacing="3", width="100%")


@page("/profile/undo-email", "Undo an email change", on_load=UndoEmailChangeState.load)
def undo_email_page() -> rx.Component:
    return auth_frame(
        "Undo an email change",
        rx.match(
            UndoEmailChangeState.status,
            ("valid", _valid()),
            ("done", _done()),
            ("used", _cannot(rx.link("Go to the login page", href="/login"))),
            ("expired", _cannot(rx.link("Go to the login page", href="/login"))),
            ("taken", _cannot()),
            ("unknown", _cannot(rx.link("Go to the login page", href="/login"))),
            rx.center(rx.spinner(size="3")),
        ),
        rx.text(UndoEmailChangeState.error, id="undo-error", color_scheme="red", size="2", role="alert"),
    )
