"""Form pieces shared by the pages: a labelled field with its hint and its error next to it."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var


def field(
    label: str,
    name: str,
    *,
    error: Var[str],
    input_type: str = "text",
    hint: str | None = None,
    autocomplete: str | None = None,
    **input_props,
) -> rx.Component:
    error_id = f"{name}-error"
    hint_id = f"{name}-hint"
    described_by = " ".join(part for part, present in ((hint_id, hint), (error_id, True)) if present)
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="portal-label"),
        rx.input(
            id=name,
            name=name,
            type=input_type,
            auto_complete=autocomplete,
            aria_describedby=described_by,
            aria_invalid=rx.cond(error != "", "true", "false"),
            size="3",
            width="100%",
            **input_props,
        ),
        rx.cond(hint is not None, rx.text(hint or "", id=hint_id, size="2", color_scheme="gray")),
        rx.text(error, id=error_id, size="2", color_scheme="red", role="alert", aria_live="polite"),
        spacing="1",
        width="100%",
        align="stretch",
    )


def submit_button(label: str, *, busy: Var[bool]) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", loading=busy, disabled=busy)


def notice(message: Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="info", color_scheme="blue", role="status", width="100%"),
    )
