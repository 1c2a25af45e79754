"""The admin area's frame: a top bar with the navigation, and nothing until the staff session is confirmed."""

from __future__ import annotations

import reflex as rx

from portal_app.admin.routes import LOGOUT_PATH
from portal_app.admin.ui.base_state import AdminState
from portal_app.apps import registry
from portal_app.shell.ui.layout import checking_frame, ready_marker
from portal_app.shell.ui.logout import form_id, logout_form
from portal_app.shell.ui.pages import admin_menu_entries


def nav_entries() -> list[tuple[str, str]]:
    """The admin menu: the core's owner pages that declared an entry, then each child app with owner pages."""
    entries = admin_menu_entries()
    for app in registry.all_apps():
        pages = [page.route for page in app.admin_pages]
        if app.settings:
            pages.append(f"{app.admin_route}/settings")
        if pages:
            entries.append((app.title, pages[0]))
    return entries


def _nav_link(label: str, href: str, current: str) -> rx.Component:
    is_current = label == current
    return rx.link(
        label,
        href=href,
        size="3",
        weight="bold" if is_current else "medium",
        underline="always" if is_current else "hover",
        high_contrast=is_current,
        aria_current="page" if is_current else None,
    )


def _top_bar(current: str) -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.hstack(
                rx.text(AdminState.business_name, size="4", weight="bold"),
                rx.badge("Admin", color_scheme="gray", variant="soft"),
                align="center",
                spacing="2",
            ),
            rx.el.nav(
                rx.hstack(
                    *(_nav_link(label, href, current) for label, href in nav_entries()), spacing="4", wrap="wrap"
                ),
                aria_label="Admin",
            ),
            rx.spacer(),
            rx.text(AdminState.staff_name, size="2", color_scheme="gray"),
            # A POST of the browser's own staff cookie to the logout route (shell/ui/logout.py).
            logout_form(LOGOUT_PATH),
            rx.button("Log out", type="submit", form=form_id(LOGOUT_PATH), variant="soft", size="2"),
            align="center",
            width="100%",
            spacing="4",
            wrap="wrap",
            padding_x="16px",
            padding_y="10px",
        ),
        style={"borderBottom": "1px solid var(--gray-5)", "background": "var(--color-panel-solid)"},
    )


def admin_frame(current: str, *children: rx.Component) -> rx.Component:
    """An admin page: a spinner until the server confirmed the staff session, then the page."""
    return rx.fragment(
        ready_marker(),
        rx.cond(
            AdminState.staff_signed_in,
            rx.box(
                _top_bar(current),
                rx.el.main(rx.container(rx.vstack(*children, spacing="5", padding_y="32px", width="100%"), size="4")),
            ),
            checking_frame(),
        ),
    )


def pager(page, pages, total, on_page) -> rx.Component:
    """Previous / "Page n of m" / Next; `on_page` is the handler that takes a page number."""
    return rx.hstack(
        rx.button("Previous", variant="soft", size="2", disabled=page <= 1, on_click=on_page(page - 1)),
        rx.text("Page ", page, " of ", pages, " (", total, " in all)", size="2"),
        rx.button("Next", variant="soft", size="2", disabled=page >= pages, on_click=on_page(page + 1)),
        align="center",
        spacing="3",
    )
