"""/apps/notes: write a note, see your notes, delete one."""

import reflex as rx

from portal_app.apps.notes.service import APP_KEY, MAX_NOTE_LENGTH
from portal_app.apps.notes.ui.notes_state import NotesState
from portal_app.apps.registry import get_app
from portal_app.shell.ui.app_frame import app_header
from portal_app.shell.ui.forms import notice
from portal_app.shell.ui.lists import plain_list


def _note_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("New note", html_for="note-text", class_name="portal-label"),
            rx.text_area(
                id="note-text",
                name="text",
                max_length=MAX_NOTE_LENGTH,
                rows="3",
                width="100%",
                aria_invalid=rx.cond(NotesState.text_error != "", "true", "false"),
                aria_describedby="note-text-error",
            ),
            rx.text(
                NotesState.text_error,
                id="note-text-error",
                color_scheme="red",
                size="2",
                role="alert",
                aria_live="polite",
            ),
            rx.button("Add note", type="submit", size="3"),
            spacing="2",
            width="100%",
        ),
        on_submit=NotesState.add_note,
        reset_on_submit=True,
        width="100%",
    )


def _note_item(note) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.text(note["text"], white_space="pre-wrap"),
                    rx.link(
                        note["created"],
                        href="/apps/notes/" + note["id"],
                        size="1",
                        color_scheme="gray",
                        aria_label="Open the note of " + note["created"],
                    ),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                rx.hstack(
                    rx.button(
                        "Email me this note",
                        variant="soft",
                        size="1",
                        on_click=NotesState.email_note(note["id"]),
                    ),
                    rx.button(
                        "Delete",
                        variant="soft",
                        color_scheme="red",
                        size="1",
                        on_click=NotesState.delete_note(note["id"]),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                align="start",
                width="100%",
            ),
        ),
        list_style="none",
    )


def notes_page() -> rx.Component:
    return rx.vstack(
        app_header(get_app(APP_KEY)),
        _note_form(),
        notice(NotesState.notice),
        rx.cond(
            NotesState.notes.length() > 0,
            plain_list(rx.foreach(NotesState.notes, _note_item), gap="8px", aria_label="Notes"),
            rx.text("No notes yet. Write your first one above.", color_scheme="gray"),
        ),
        # The download is one of the app's HTTP routes, not a page: the browser fetches it as a file.
        rx.button(
            rx.icon("download", size=16, aria_hidden="true"),
            "Download my notes (.txt)",
            variant="soft",
            size="2",
            on_click=rx.download(url="/api/apps/notes/download", filename="notes.txt"),
        ),
        spacing="4",
        width="100%",
    )


def note_page() -> rx.Component:
    """/apps/notes/[note]: one note, linkable."""
    return rx.vstack(
        rx.link("All notes", href="/apps/notes"),
        notice(NotesState.notice),
        rx.cond(
            NotesState.open_note_missing,
            rx.vstack(
                rx.heading("That note does not exist", as_="h1", size="6"),
                rx.text("It may have been deleted. Your notes are listed on the Notes page.", color_scheme="gray"),
                spacing="2",
            ),
            rx.cond(
                NotesState.open_note.contains("id"),
                rx.vstack(
                    rx.heading("Note of " + NotesState.open_note["created"], as_="h1", size="6"),
                    rx.card(rx.text(NotesState.open_note["text"], white_space="pre-wrap"), width="100%"),
                    rx.button(
                        "Email me this note",
                        variant="soft",
                        size="2",
                        on_click=NotesState.email_note(NotesState.open_note["id"]),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )
