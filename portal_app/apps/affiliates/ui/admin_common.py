"""Pieces the Affiliate Manager admin pages share: their own navigation, labelled selects and text areas with
the error beside them, figure cards, and the plain rows their states fill."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import reflex as rx

from portal_app.apps.affiliates.admin_views import Figures
from portal_app.apps.affiliates.money import format_money

ADMIN_BASE = "/admin/apps/affiliates"
PAGES = (
    ("Overview", ADMIN_BASE),
    ("Campaigns", f"{ADMIN_BASE}/campaigns"),
    ("Affiliates", f"{ADMIN_BASE}/affiliates"),
    ("Commissions", f"{ADMIN_BASE}/commissions"),
    ("Payouts", f"{ADMIN_BASE}/payouts"),
    ("Sales and webhook", f"{ADMIN_BASE}/sales"),
    # The settings page the shell makes from the app's declared settings.
    ("Referral options", f"{ADMIN_BASE}/settings"),
)
STATUS_NAMES = {
    "pending": "Pending",
    "approved": "Approved",
    "paid": "Paid",
    "rejected": "Rejected",
    "reversed": "Reversed (refunded)",
}
METHOD_NAMES = {"paypal": "PayPal", "bank": "Bank transfer"}
NONE_YET = "None"


def money_list(figures: tuple[Figures, ...] | list[Figures], status: str) -> str:
    """One status's sums in every currency: "$12.00; €3.50" (currencies with nothing left out), or "None"."""
    shown = [format_money(getattr(figure, status), figure.currency) for figure in figures if getattr(figure, status)]
    return "; ".join(shown) or NONE_YET


def day_text(day: date | datetime | None) -> str:
    return f"{day:%-d %b %Y}" if day is not None else ""


def moment_text(moment: datetime | None) -> str:
    return f"{moment:%-d %b %Y, %H:%M} UTC" if moment is not None else ""


def admin_nav(current: str) -> rx.Component:
    """The app's own pages, the current one marked."""
    return rx.el.nav(
        rx.hstack(
            *(
                rx.link(
                    label,
                    href=href,
                    size="2",
                    weight="bold" if label == current else "medium",
                    underline="always" if label == current else "hover",
                    aria_current="page" if label == current else None,
                )
                for label, href in PAGES
            ),
            spacing="4",
            wrap="wrap",
        ),
        aria_label="Affiliate Manager admin",
        width="100%",
    )


def page_header(current: str, title: str, intro: str) -> rx.Component:
    return rx.vstack(
        admin_nav(current),
        rx.heading(title, as_="h1", size="7"),
        rx.text(intro, color_scheme="gray"),
        spacing="3",
        width="100%",
    )


def error_text(message, field_id: str) -> rx.Component:
    return rx.text(
        message,
        id=f"{field_id}-error",
        size="2",
        color_scheme="red",
        role="alert",
        aria_live="polite",
        white_space="pre-wrap",
    )


def select_field(label: str, name: str, options, value, error, *, hint: str | None = None) -> rx.Component:
    """A labelled native select (keyboard-usable everywhere) with its hint and its error beside it."""
    described = f"{name}-hint {name}-error" if hint else f"{name}-error"
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="portal-label"),
        rx.el.select(
            *(rx.el.option(text, value=option) for option, text in options),
            id=name,
            name=name,
            default_value=value,
            class_name="portal-select",
            aria_describedby=described,
            aria_invalid=rx.cond(error != "", "true", "false"),
        ),
        rx.cond(hint is not None, rx.text(hint or "", id=f"{name}-hint", size="2", color_scheme="gray")),
        error_text(error, name),
        spacing="1",
    )


def text_area_field(label: str, name: str, error, *, hint: str, rows: str = "8", **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="portal-label"),
        rx.text(hint, id=f"{name}-hint", size="2", color_scheme="gray"),
        rx.text_area(
            id=name,
            name=name,
            rows=rows,
            aria_describedby=f"{name}-hint {name}-error",
            aria_invalid=rx.cond(error != "", "true", "false"),
            width="100%",
            font_family="monospace",
            spellcheck=False,
            **props,
        ),
        error_text(error, name),
        spacing="1",
        width="100%",
    )


def figure_card(label: str, value, note=None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="6", weight="bold"),
            rx.cond(note is not None, rx.text(note if note is not None else "", size="1", color_scheme="gray")),
            spacing="1",
        ),
        min_width="180px",
    )


def caption(label: str) -> rx.Component:
    """The table's name for screen readers (a <caption>, which names the <table> itself; an aria-label on
    rx.table.root lands on Radix's wrapper <div> instead), not shown."""
    return rx.el.caption(label, class_name="sr-only")


def table(headers: tuple[str, ...], body: rx.Component, *, label: str) -> rx.Component:
    """A table named `label` that scrolls sideways on a narrow screen; an empty header is read as `Actions`."""
    return rx.box(
        rx.table.root(
            caption(label),
            rx.table.header(
                rx.table.row(
                    *(
                        rx.table.column_header_cell(header if header else rx.el.span("Actions", class_name="sr-only"))
                        for header in headers
                    )
                )
            ),
            body,
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


@dataclasses.dataclass
class TotalsRow:
    currency: str = ""
    pending: str = ""
    approved: str = ""
    paid: str = ""
    reversed: str = ""
