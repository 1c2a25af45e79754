"""Notes: add, list, delete and email a person's notes; each change goes on their timeline in the same transaction.

Services trust the account id they are given: the state has checked the session and access
(AppAccessState._gate) before calling them. They still refuse bad input, and a note id only ever
reaches the notes of the account given. After a change, everyone viewing that person's notes (their
other tabs) is told through the live channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from portal_app.accounts.models import Account
from portal_app.apps.app_settings import app_setting
from portal_app.apps.grants import granted_roles
from portal_app.apps.notes.models import Note
from portal_app.apps.notify import notify
from portal_app.apps.registry import SummaryCard
from portal_app.kernel import clock, db, live
from portal_app.kernel.errors import FieldError
from portal_app.kernel.text import has_invisible_characters
from portal_app.timeline import service as activity

APP_KEY = "notes"
# Roles on a Notes grant, lowest first: members keep up to the business's max_notes; "unlimited" has no cap.
MEMBER, UNLIMITED = "member", "unlimited"
ROLES = (MEMBER, UNLIMITED)
MAX_NOTES_SETTING = "max_notes"
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
    if has_invisible_characters(text, allow_newlines=True):
        raise FieldError("text", "The note contains invisible control characters. Please type it again.")
    return text


def _excerpt(text: str) -> str:
    return text if len(text) <= TIMELINE_EXCERPT else text[: TIMELINE_EXCERPT - 1] + "…"


def live_topic(account_id: int) -> str:
    """The live channel of one person's notes: their open Notes pages follow it."""
    return f"notes:account:{account_id}"


def _count(session: Session, account_id: int) -> int:
    return session.exec(select(func.count()).select_from(Note).where(Note.account_id == account_id)).one()


def _cap(session: Session, account_id: int) -> int | None:
    """How many notes the account may keep: the business's max_notes, or no cap for the unlimited role."""
    if granted_roles(session, account_id).get(APP_KEY) == UNLIMITED:
        return None
    return app_setting(APP_KEY, MAX_NOTES_SETTING, session)


def add_note(account_id: int, text: object) -> NoteView:
    """Save a note for the account.

    Raises FieldError("text") for empty, too long or unprintable text, or when the account already
    keeps as many notes as the business allows.
    """
    cleaned = clean_note_text(text)
    with db.write_session() as session:
        # Count and insert under the account's row lock (SQLite's BEGIN IMMEDIATE already serialises):
        # two adds at once cannot both pass the cap.
        session.exec(select(Account.id).where(Account.id == account_id).with_for_update()).first()
        cap = _cap(session, account_id)
        if cap is not None and _count(session, account_id) >= cap:
            raise FieldError(
                "text", f"You already keep {cap} notes, the most this portal allows. Delete one to add another."
            )
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
        view = NoteView(id=note.id, text=note.text, created_at=note.created_at)
    live.publish(live_topic(account_id), {"change": "added"})
    return view


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
    live.publish(live_topic(account_id), {"change": "deleted"})


def email_note(account_id: int, note_id: int) -> bool:
    """Email one of the account's notes to its own address; False when the person switched Notes emails off.

    Raises LookupError when the account has no such note.
    """
    with db.write_session() as session:
        note = session.exec(select(Note).where(Note.id == note_id, Note.account_id == account_id)).first()
        if note is None:
            raise LookupError("no such note")
        return notify(
            session, account_id, APP_KEY, "note_copy", {"text": note.text, "written_at": f"{note.created_at:%-d %b %Y}"}
        ).sent


def get_note(account_id: int, note_id: int) -> NoteView:
    """One of the account's notes; LookupError when it has no such note (another account's included)."""
    with db.read_session() as session:
        note = session.exec(select(Note).where(Note.id == note_id, Note.account_id == account_id)).first()
    if note is None:
        raise LookupError("no such note")
    return NoteView(id=note.id, text=note.text, created_at=note.created_at)


def list_notes(account_id: int, *, limit: int | None = LIST_LIMIT) -> list[NoteView]:
    """The account's newest notes first (all of them with limit=None)."""
    query = select(Note).where(Note.account_id == account_id).order_by(col(Note.created_at).desc(), col(Note.id).desc())
    if limit is not None:
        query = query.limit(limit)
    with db.read_session() as session:
        return [NoteView(id=note.id, text=note.text, created_at=note.created_at) for note in session.exec(query)]


def count_notes(account_id: int) -> int:
    with db.read_session() as session:
        return _count(session, account_id)


def export(account_id: int) -> dict[str, object]:
    """Everything Notes holds about the account (the export hook)."""
    return {
        "notes": [
            {"text": note.text, "written_at": note.created_at.isoformat()}
            for note in list_notes(account_id, limit=None)
        ]
    }


@dataclass(frozen=True)
class Usage:
    """What the owner sees of Notes: counts only, never anyone's text."""

    notes: int
    writers: int
    added_last_7_days: int


def usage() -> Usage:
    since = clock.now() - timedelta(days=7)
    with db.read_session() as session:
        notes = session.exec(select(func.count()).select_from(Note)).one()
        writers = session.exec(select(func.count(func.distinct(Note.account_id)))).one()
        recent = session.exec(select(func.count()).select_from(Note).where(Note.created_at >= since)).one()
    return Usage(notes=notes, writers=writers, added_last_7_days=recent)


def add_demo_notes(session: Session, accounts: list) -> None:
    """Demo data: two notes for the main demo account."""
    now = clock.now()
    for text in ("Bring the workbook to Thursday's session.", "Ask about the annual plan."):
        session.add(Note(account_id=accounts[0].id, text=text, created_at=now))


def summary(account_id: int) -> SummaryCard:
    """Home's card: how many notes, and the newest (one read)."""
    with db.read_session() as session:
        count = _count(session, account_id)
        newest = session.exec(
            select(Note).where(Note.account_id == account_id).order_by(col(Note.created_at).desc(), col(Note.id).desc())
        ).first()
    if count == 0 or newest is None:
        return SummaryCard(headline="No notes yet", details=("Notes you write appear here.",))
    return SummaryCard(
        headline="1 note" if count == 1 else f"{count} notes",
        details=(f"Latest: {_excerpt(newest.text)}",),
        count=count,
    )
