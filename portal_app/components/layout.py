"""Page frames: the centred card of the sign-in pages, and the signed-in portal's top bar."""

from __future__ import annotations

import reflex as rx

from portal_app.states.base import PortalState


def auth_frame(title: str, *children: rx.Component) -> rx.Component:
    """A centred card that fits a phone and a desktop alike."""
    return rx.el.main(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.text(PortalState.business_name, size="3", weight="bold", color_scheme="gray"),
                    rx.heading(title, as_="h1", size="7"),
                    *children,
                    spacing="4",
                    width="100%",
                    align="stretch",
                ),
                size="4",
                width="100%",
                max_width="440px",
            ),
            min_height="100vh",
            padding="16px",
            background="var(--gray-2)",
        )
    )


def checking_frame() -> rx.Component:
    """Shown on a protected page until the server has confirmed who is asking."""
    return rx.center(rx.spinner(size="3"), rx.el.span("Checking your session…", class_name="sr-only"), min_height="100vh")
