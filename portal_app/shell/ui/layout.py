"""Page frames: the centred card of the sign-in pages, and the signed-in portal's top bar."""

from __future__ import annotations

import reflex as rx

from portal_app.shell.ui.base_state import PortalState


def ready_marker() -> rx.Component:
    """A hidden mark whose data-ready turns "true" once the page's state is synced and its on_load ran.

    Browser tests wait for it before they type or click, as a person waits for a page to load.
    """
    return rx.el.span(id="page-ready", data_ready=rx.cond(rx.State.is_hydrated, "true", "false"), hidden=True)


def auth_frame(title: str, *children: rx.Component) -> rx.Component:
    """A centred card that fits a phone and a desktop alike."""
    return rx.el.main(
        ready_marker(),
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
        ),
    )


def checking_frame() -> rx.Component:
    """Shown on a protected page until the server has confirmed who is asking."""
    return rx.center(
        rx.spinner(size="3"), rx.el.span("Checking your session…", class_name="sr-only"), min_height="100vh"
    )
