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


# What an image picker offers to choose (the server still sniffs what each file really is).
IMAGE_TYPES = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/gif": [".gif"], "image/webp": [".webp"]}


def file_picker(
    upload_id: str, label: str, button: str, hint: str, accept: dict, on_upload, error: Var[str]
) -> rx.Component:
    """A file picker (click, Enter or drop) with its upload button and the refusal beside it.

    `on_upload` is the state's upload handler (it receives list[rx.UploadFile]). The dropzone's hidden
    file input cannot take an id or aria attributes, so a <label> wraps it (an implicit label); clicks
    go to the input through the label (no_click), Enter and Space through the dropzone, which is focusable.
    """
    return rx.vstack(
        rx.el.label(
            rx.text(label, class_name="portal-label"),
            rx.upload(
                rx.hstack(
                    rx.icon("upload", size=16, aria_hidden="true"),
                    rx.text("Choose a file or drop it here"),
                    rx.foreach(rx.selected_files(upload_id), lambda name: rx.badge(name, variant="soft")),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                id=upload_id,
                accept=accept,
                multiple=False,
                max_files=1,
                no_click=True,
                border="1px dashed var(--gray-7)",
                border_radius="8px",
                padding="12px",
                width="100%",
                cursor="pointer",
            ),
            style={"display": "grid", "gap": "4px", "width": "100%"},
        ),
        rx.text(hint, size="2", color_scheme="gray"),
        rx.button(button, type="button", variant="soft", on_click=on_upload(rx.upload_files(upload_id=upload_id))),
        rx.text(error, id=f"{upload_id}-error", size="2", color_scheme="red", role="alert", aria_live="polite"),
        spacing="2",
        width="100%",
    )
