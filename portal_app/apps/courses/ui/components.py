"""Pieces the three course pages share."""

from __future__ import annotations

import reflex as rx


def progress_bar(percent, label: str) -> rx.Component:
    """A labelled progress bar (0-100)."""
    return rx.progress(value=percent, max=100, aria_label=label, width="100%")


def completed_badge() -> rx.Component:
    return rx.badge(rx.icon("circle-check", size=14, aria_hidden="true"), "Completed", color_scheme="green")


def missing(heading: str, text: str) -> rx.Component:
    return rx.vstack(
        rx.heading(heading, as_="h1", size="6"),
        rx.text(text, color_scheme="gray"),
        rx.link("Back to My courses", href="/apps/courses"),
        spacing="2",
    )


def action_link(text, href, **props) -> rx.Component:
    """A link that looks like a button (Start, Resume, Review): one interactive element, not a button inside a link."""
    return rx.button(rx.link(text, href=href, underline="none", **props), as_child=True, size="2")
