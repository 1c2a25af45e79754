"""The signed-in portal's frame: top bar with the account menu, and the page's main area."""

from __future__ import annotations

import reflex as rx

from portal_app.shell.ui.app_switcher import app_switcher
from portal_app.shell.ui.layout import checking_frame, ready_marker
from portal_app.shell.ui.logout import logout_form, logout_menu_item
from portal_app.shell.ui.session_state import SessionState

LOGOUT_PATH = "/auth/logout"


def _peer_item(peer) -> rx.Component:
    return rx.menu.item(
        rx.vstack(
            rx.text("Switch to ", peer["name"], size="2", weight="medium"),
            rx.text(peer["apps"], size="1", color_scheme="gray"),
            spacing="0",
            align="start",
        ),
        on_select=SessionState.switch_to(peer["id"]),
    )


def account_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.initials, size="2", radius="full"),
                variant="ghost",
                radius="full",
                aria_label="Account menu for " + SessionState.full_name,
                id="account-menu-button",
            ),
        ),
        rx.menu.content(
            rx.box(
                rx.text(SessionState.full_name, weight="bold", size="2"),
                rx.text(SessionState.email, size="1", color_scheme="gray"),
                padding_x="12px",
                padding_y="6px",
            ),
            rx.cond(
                SessionState.peers.length() > 0,
                rx.fragment(
                    rx.menu.separator(),
                    rx.text(
                        "Other accounts on this email", size="1", color_scheme="gray", padding_x="12px", padding_y="4px"
                    ),
                    rx.foreach(SessionState.peers, _peer_item),
                ),
            ),
            rx.menu.separator(),
            rx.menu.item("Profile", on_select=rx.redirect("/profile")),
            rx.menu.item("Security", on_select=rx.redirect("/security")),
            logout_menu_item(LOGOUT_PATH),
            align="end",
        ),
        # Non-modal: the page behind stays in the accessibility tree (no aria-hidden on its landmarks).
        modal=False,
    )


def top_bar() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.cond(
                        SessionState.business_logo != "",
                        rx.image(src=SessionState.business_logo, alt="", height="28px", width="auto"),
                    ),
                    rx.text(SessionState.business_name, size="4", weight="bold", trim="both"),
                    align="center",
                    spacing="2",
                ),
                href="/",
                color_scheme="gray",
                high_contrast=True,
                underline="none",
                min_width="0",
            ),
            rx.spacer(),
            app_switcher(),
            account_menu(),
            logout_form(LOGOUT_PATH),
            align="center",
            spacing="3",
            width="100%",
            padding_x="16px",
            padding_y="10px",
        ),
        style={
            "borderTop": f"3px solid {SessionState.business_color}",
            "borderBottom": "1px solid var(--gray-5)",
            "background": "var(--color-panel-solid)",
        },
    )


def portal_frame(*children: rx.Component) -> rx.Component:
    """A protected page: nothing but a spinner until the server confirmed the session."""
    return rx.fragment(ready_marker(), _signed_in_or_checking(*children))


def _signed_in_or_checking(*children: rx.Component) -> rx.Component:
    return rx.cond(
        SessionState.signed_in,
        rx.box(
            top_bar(),
            rx.el.main(
                rx.container(
                    rx.vstack(*children, spacing="5", padding_y="32px", width="100%"),
                    size="3",
                ),
            ),
        ),
        checking_frame(),
    )
