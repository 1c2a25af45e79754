"""The top bar's app switcher: Home and every child app this account can open, the current one marked.

Radix's dropdown menu gives the keyboard behaviour: Enter or Space opens it, arrow keys move,
Enter opens an app, Esc closes it and returns focus to the button.
"""

from __future__ import annotations

import reflex as rx

from portal_app.shell.ui.session_state import SessionState


def _app_item(entry) -> rx.Component:
    is_current = entry["current"] == "yes"
    return rx.menu.item(
        rx.hstack(
            rx.text(entry["title"]),
            rx.spacer(),
            rx.cond(is_current, rx.icon("check", size=16, aria_hidden="true")),
            rx.cond(is_current, rx.el.span("(current)", class_name="sr-only")),
            width="100%",
            align="center",
            spacing="3",
        ),
        aria_current=rx.cond(is_current, "page", "false"),
        on_select=rx.redirect(entry["route"]),
    )


def app_switcher() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("layout-grid", size=16, aria_hidden="true"),
                rx.text("Switch app", display=["none", "inline"]),
                variant="soft",
                aria_label="Switch app",
                id="app-switcher-button",
            ),
        ),
        rx.menu.content(
            rx.foreach(SessionState.apps, _app_item),
            align="end",
            min_width="220px",
        ),
        # Non-modal: the page behind stays in the accessibility tree (no aria-hidden on its landmarks).
        modal=False,
    )
