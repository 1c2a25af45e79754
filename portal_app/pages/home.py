"""/: the signed-in home page."""

import reflex as rx

from portal_app.components.layout import checking_frame
from portal_app.states.session import SessionState


def top_bar() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.text(SessionState.business_name, size="4", weight="bold"),
            rx.spacer(),
            rx.hstack(
                rx.avatar(fallback=SessionState.initials, size="2", radius="full"),
                rx.button("Log out", variant="soft", on_click=SessionState.log_out),
                spacing="3",
                align="center",
            ),
            align="center",
            width="100%",
            padding_x="16px",
            padding_y="12px",
        ),
        style={"borderBottom": "1px solid var(--gray-5)", "background": "var(--color-panel-solid)"},
    )


def home_page() -> rx.Component:
    return rx.cond(
        SessionState.signed_in,
        rx.box(
            top_bar(),
            rx.el.main(
                rx.container(
                    rx.vstack(
                        rx.heading(f"Welcome, {SessionState.full_name}", as_="h1", size="7"),
                        rx.text("You are signed in to ", SessionState.business_name, "."),
                        spacing="3",
                        padding_y="32px",
                    ),
                    size="3",
                ),
            ),
        ),
        checking_frame(),
    )
