"""Notes: add, list and delete a person's notes; each change goes on their timeline in the same transaction.

Services trust the account id they are given: the state has checked the session and access
(AppAccessState._gate) before calling them. They still refuse bad input, and a note id only ever
reaches the notes of the account given.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select

from portal_app import activity, clock, db
from portal_app.accounts.errors import FieldError
from portal_app.apps.notes.models import Note
from portal_app.apps.registry import SummaryCard

APP_KEY = "notes"
ACTIVITY_KINDS = {
    "note_added": "Added a note",
    "note_deleted": "Deleted a note",
}
MAX_NOTE_LENGTH = 500
LIST_LIMIT = 50
# How much of a note the timeline repeats.
TIMELINE_EXCERPT = 80


@dataclass(frozen=True)
class NoteView:
    id: int
    text: str
    created_at: datetime


def clean_note_text(raw: object) -> str:
    """The text of a new note: 1-500 characters, line breaks allowed, no other control characters."""
    if not isinstance(raw, str) or not raw.strip():
        raise FieldError("text", "Write something in the note first.")
    text = raw.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise FieldError("text", f"Keep a note to {MAX_NOTE_LENGTH} characters or fewer.")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") and char != "\n" for char in text):
        raise FieldError("text", "The note contains invisible control characters. Please type it again.")
    return text


def _excerpt(text: str) -> str:
    return text if len(text) <= TIMELINE_EXCERPT else text[: TIMELINE_EXCERPT - 1] + "…"


def add_note(account_id: int, text: object) -> NoteView:
    """Save a note for the account. Raises FieldError("text") for empty, too long or unprintable text."""
    cleaned = clean_note_text(text)
    with db.write_session() as session:
        note = Note(account_id=account_id, text=cleaned, created_at=clock.now())
        session.add(note)
        session.flush()
        activity.record(
            session,
            account_id=account_id,
            app_key=APP_KEY,
            kind="note_added",
            summary=_excerpt(cleaned),
            at=note.created_at,
        )
        return NoteView(id=note.id, text=note.text, created_at=note.created_at)


def delete_note(account_id: int, note_id: int) -> None:
    """Delete one of the account's notes. Raises LookupError when it has no such note (another account's included)."""
    with db.write_session() as session:
        note = session.exec(select(Note).where(Note.id == note_id, Note.account_id == account_id)).first()
        if note is None:
            raise LookupError("no such note")
        session.delete(note)
        activity.record(
            session, account_id=account_id, app_key=APP_KEY, kind="note_deleted", summary=_excerpt(note.text)
        )


def list_notes(account_id: int, *, limit: int = LIST_LIMIT) -> list[NoteView]:
    """The account's newest notes first."""
    query = (
        select(Note)
        .where(Note.account_id == account_id)
        .order_by(col(Note.created_at).desc(), col(Note.id).desc())
        .limit(limit)
    )
    with db.read_session() as session:
        return [NoteView(id=note.id, text=note.text, created_at=note.created_at) for note in session.exec(query)]


def count_notes(account_id: int) -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(Note).where(Note.account_id == account_id)).one()


def summary(account_id: int) -> SummaryCard:
    count = count_notes(account_id)
    if count == 0:
        return SummaryCard(headline="No notes yet", details=("Notes you write appear here.",))
    newest = list_notes(account_id, limit=1)[0]
    return SummaryCard(
        headline="1 note" if count == 1 else f"{count} notes",
        details=(f"Latest: {_excerpt(newest.text)}",),
        count=count,
    )
