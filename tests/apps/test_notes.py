"""The example Notes app's service: validated input, one account's notes only, every change on the timeline."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.apps.notes import service
from portal_app.apps.notes.models import Note
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.timeline import service as activity
from tests.apps.support import add_account


def all_notes() -> list[Note]:
    with db.read_session() as session:
        return list(session.exec(select(Note)))


def test_a_note_is_saved_trimmed_and_recorded(database, frozen_clock):
    account = add_account()
    view = service.add_note(account, "  Buy flour\nand eggs  ")
    assert (view.text, view.created_at) == ("Buy flour\nand eggs", frozen_clock.current)
    assert service.list_notes(account) == [view]
    [entry] = activity.timeline(account).items
    assert (entry.app_key, entry.kind, entry.label, entry.summary) == (
        "notes",
        "note_added",
        "Added a note",
        "Buy flour and eggs",
    )


def test_the_timeline_keeps_an_excerpt_of_a_long_note(database, frozen_clock):
    account = add_account()
    service.add_note(account, "a" * service.MAX_NOTE_LENGTH)
    assert activity.timeline(account).items[0].summary == "a" * 79 + "…"


BAD_TEXT = {
    "none": None,
    "int": 5,
    "list": ["note"],
    "dict": {"text": "note"},
    "empty": "",
    "spaces": " \n\t ",
    "too-long": "x" * (service.MAX_NOTE_LENGTH + 1),
    "nul": "note\x00",
    "escape": "note\x1b[31m",
    "bidi-override": "note\u202e",
    "lone-surrogate": "note\udc00",
}


@pytest.mark.parametrize("text", BAD_TEXT.values(), ids=BAD_TEXT.keys())
def test_bad_text_is_refused_and_nothing_is_stored(database, frozen_clock, text):
    account = add_account()
    with pytest.raises(FieldError) as refused:
        service.add_note(account, text)
    assert refused.value.field == "text" and refused.value.message.endswith(".")
    assert all_notes() == [] and activity.timeline(account).items == ()


def test_notes_are_newest_first_and_per_account(database, frozen_clock):
    ada, grace = add_account(), add_account("grace@example.com", "Grace Hopper")
    service.add_note(ada, "first")
    frozen_clock.advance(minutes=1)
    service.add_note(ada, "second")
    service.add_note(grace, "grace's")
    assert [note.text for note in service.list_notes(ada)] == ["second", "first"]
    assert [note.text for note in service.list_notes(grace)] == ["grace's"]


def test_deleting_reaches_only_ones_own_notes(database, frozen_clock):
    ada, grace = add_account(), add_account("grace@example.com", "Grace Hopper")
    mine = service.add_note(ada, "mine")
    theirs = service.add_note(grace, "theirs")
    with pytest.raises(LookupError):
        service.delete_note(ada, theirs.id)
    with pytest.raises(LookupError):
        service.delete_note(ada, 999_999)
    assert len(all_notes()) == 2
    service.delete_note(ada, mine.id)
    assert [note.text for note in all_notes()] == ["theirs"]
    assert activity.timeline(ada).items[0].kind == "note_deleted"
    assert [item.kind for item in activity.timeline(grace).items] == ["note_added"]


def test_the_summary_card(database, frozen_clock):
    account = add_account()
    assert service.summary(account).headline == "No notes yet" and service.summary(account).count is None
    service.add_note(account, "first")
    frozen_clock.advance(minutes=1)
    service.add_note(account, "second")
    card = service.summary(account)
    assert (card.headline, card.details, card.count) == ("2 notes", ("Latest: second",), 2)
