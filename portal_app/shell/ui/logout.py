"""The "Log out" control: a plain HTML form that POSTs to a logout route, submitted by a menu item or button.

Reflex's own forms always cancel the browser's submit (they send an event instead), so the form is
written as raw HTML, with nothing but its method and action; the visible control is a native submit
button tied to it by id. The POST then carries the browser's cookie as it is now, and its Origin, which
the route checks (accounts/routes.py, admin/routes.py). Keyboard: the menu item is a button, Enter or
Space on it submits.
"""

from __future__ import annotations

import html

import reflex as rx


def form_id(action: str) -> str:
    return "logout-form" + action.replace("/", "-").rstrip("-")


def logout_form(action: str) -> rx.Component:
    """The hidden form the "Log out" control submits (place it once on the page, outside any menu)."""
    return rx.html(
        f'<form id="{html.escape(form_id(action))}" method="post" action="{html.escape(action)}" hidden></form>',
        display="none",
    )


def logout_menu_item(action: str) -> rx.Component:
    """A menu item named "Log out" that submits `logout_form(action)`."""
    return rx.menu.item(
        rx.el.button(
            "Log out",
            type="submit",
            form=form_id(action),
            # A native button inside Radix's menu item: keep the item's look, drop the button's own.
            style={"border": "none", "font": "inherit", "width": "100%", "textAlign": "start"},
        ),
        as_child=True,
    )
