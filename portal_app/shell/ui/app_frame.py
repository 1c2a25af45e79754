"""The frame of every child-app page: the portal's top bar, then the app's content only once access is confirmed.

Prod builds prerender pages with default state, so the content stays behind rx.cond until the
server has run the access check for this app on this page load.
"""

from __future__ import annotations

import reflex as rx

from portal_app.apps.registry import ChildApp
from portal_app.shell.ui.app_guard import DENIED, OPEN, AppAccessState
from portal_app.shell.ui.base_state import PortalState
from portal_app.shell.ui.layout import ready_marker
from portal_app.shell.ui.portal_frame import portal_frame


def _checking() -> rx.Component:
    return rx.center(
        rx.spinner(size="3"), rx.el.span("Checking your access…", class_name="sr-only"), min_height="40vh", width="100%"
    )


def _denied(app: ChildApp) -> rx.Component:
    return rx.vstack(
        rx.heading(f"You do not have access to {app.title}", as_="h1", size="7"),
        rx.text(AppAccessState.denied_message),
        rx.link("Back to home", href="/"),
        spacing="3",
        width="100%",
    )


def child_app_page(app: ChildApp, content: rx.Component) -> rx.Component:
    """Wrap an app page's content: the top bar, and the content only while the app is open to this account."""
    shown_for_this_app = AppAccessState.app_key == app.key
    return portal_frame(
        rx.cond(
            shown_for_this_app & (AppAccessState.status == OPEN),
            content,
            rx.cond(shown_for_this_app & (AppAccessState.status == DENIED), _denied(app), _checking()),
        )
    )


def app_header(app: ChildApp) -> rx.Component:
    """An entry page's heading: the app's icon, title and what it is."""
    return rx.vstack(
        rx.hstack(
            rx.icon(app.icon, size=28, aria_hidden="true"),
            rx.heading(app.title, as_="h1", size="7"),
            align="center",
            spacing="3",
        ),
        rx.text(app.description, color_scheme="gray"),
        spacing="2",
        width="100%",
    )


def summary_panel() -> rx.Component:
    """The person's summary from the open app: the same card home shows."""
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.heading(AppAccessState.summary_headline, as_="h2", size="4"),
                rx.foreach(AppAccessState.summary_details, lambda line: rx.text(line, size="2", color_scheme="gray")),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.cond(AppAccessState.summary_count != "", rx.text(AppAccessState.summary_count, size="8", weight="bold")),
            align="center",
            width="100%",
        ),
        width="100%",
    )


def entry_page(app: ChildApp, *, coming_next: str) -> rx.Component:
    """The entry page of an app whose own features are still to come: what it is, the person's summary, what comes next."""
    return rx.vstack(
        app_header(app),
        summary_panel(),
        rx.text(coming_next, size="2", color_scheme="gray"),
        spacing="4",
        width="100%",
    )


def public_page(content: rx.Component) -> rx.Component:
    """The frame of an app's public page (signed out too): the business's name above the content, no top bar."""
    return rx.el.main(
        ready_marker(),
        rx.vstack(
            rx.link(
                rx.text(PortalState.business_name, size="4", weight="bold"),
                href="/",
                underline="none",
                color_scheme="gray",
                high_contrast=True,
            ),
            content,
            spacing="5",
            width="100%",
            max_width="860px",
            margin="0 auto",
            padding="24px 16px",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )
