"""Every child-app page and handler checks the session and access itself, through the real event pipeline.

No session -> /login?next=<page>; profile incomplete -> /profile?needed_for=<key>; not enabled or not
granted -> a "You do not have access" state with no app data; open -> the app's data, and only the
signed-in account's.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import select

from portal_app.accounts import sessions, tickets
from portal_app.apps import grants, registry
from portal_app.apps.notes import service as notes
from portal_app.apps.notes.models import Note
from portal_app.apps.notes.ui.notes_state import NotesState
from portal_app.kernel import db
from portal_app.shell.ui.app_guard import CHECKING, DENIED, OPEN, AppAccessState
from portal_app.timeline import service as activity
from tests.apps.support import Profiles, add_account, grant, set_business, stub_profiles
from tests.support.hostile_input import NOT_A_FORM, NOT_A_STRING, ONE_MB, assert_nothing_crashed, check_each

COOKIE = tickets.SESSION_COOKIE
APP_KEYS = [app.key for app in registry.all_apps()]
EVERY_APP = [app.key for app in registry.all_apps()]


@pytest.fixture
def profiles(monkeypatch) -> Profiles:
    return stub_profiles(monkeypatch)


def start_session(account_id: int) -> str:
    with db.write_session() as session:
        return sessions.create_session(
            session, account_id=account_id, auth_method="code", user_agent="pytest", ip="203.0.113.5"
        )


@pytest.fixture
def ada(pipeline, frozen_clock) -> int:
    set_business(enabled_apps=EVERY_APP)
    return add_account()


def cookie_for(account_id: int) -> str:
    return f"{COOKIE}={start_session(account_id)}"


async def assert_no_app_data(client) -> None:
    state = await client.state(AppAccessState)
    assert (state.summary_headline, state.summary_details, state.summary_count) == ("", [], "")
    assert (await client.state(NotesState)).notes == []


def all_notes() -> list[Note]:
    with db.read_session() as session:
        return list(session.exec(select(Note)))


# --- the entry page of every app ------------------------------------------------------------------


def test_every_app_is_covered():
    assert APP_KEYS == EVERY_APP


@pytest.mark.parametrize("key", EVERY_APP)
async def test_an_open_app_works_out_its_summary_only_for_a_page_that_shows_it(
    pipeline, caplog, profiles, ada, key, monkeypatch
):
    grant(ada, key)
    app = registry.get_app(key)
    calls: list[int] = []
    real = app.summary
    monkeypatch.setitem(
        registry._registry._apps,
        key,
        dataclasses.replace(app, summary=lambda account: calls.append(account) or real(account)),
    )
    client = await pipeline.connect(app.route, cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(AppAccessState)
    assert (state.status, state.app_key, state.denied_message) == (OPEN, key, "")
    if app.pages[0].shows_summary:
        assert state.summary_headline == real(ada).headline != ""
        assert calls == [ada]
    else:
        assert (state.summary_headline, calls) == ("", [])
    assert client.redirects() == []


@pytest.mark.parametrize("key", EVERY_APP)
async def test_without_a_session_the_page_goes_to_login_and_shows_nothing(pipeline, caplog, profiles, ada, key):
    grant(ada, key)
    notes.add_note(ada, "private")
    route = registry.get_app(key).route
    for cookie in (None, f"{COOKIE}=garbage", f"{COOKIE}={'a' * ONE_MB}"):
        client = await pipeline.connect(route, cookie=cookie)
        assert_nothing_crashed(pipeline, caplog)
        assert client.redirects() == [f"/login?next={route}"]
        assert (await client.state(AppAccessState)).status == CHECKING
        await assert_no_app_data(client)


@pytest.mark.parametrize("key", EVERY_APP)
async def test_an_incomplete_profile_is_sent_to_the_profile_page(pipeline, caplog, profiles, ada, key):
    grant(ada, key)
    profiles.mark_incomplete(ada)
    client = await pipeline.connect(registry.get_app(key).route, cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    assert client.redirects() == [f"/profile?needed_for={key}"]
    assert (await client.state(AppAccessState)).status == CHECKING
    await assert_no_app_data(client)


@pytest.mark.parametrize("key", EVERY_APP)
async def test_an_app_not_granted_is_refused_with_a_reason(pipeline, caplog, profiles, ada, key):
    notes.add_note(ada, "private")
    client = await pipeline.connect(registry.get_app(key).route, cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(AppAccessState)
    title = registry.get_app(key).title
    assert (state.status, state.app_key) == (DENIED, key)
    assert state.denied_message == f"Your account has not been given {title}. Ask Test Business if you think it should."
    assert client.redirects() == []
    await assert_no_app_data(client)


@pytest.mark.parametrize("key", EVERY_APP)
async def test_an_app_not_enabled_is_refused_even_when_granted(pipeline, caplog, profiles, ada, key):
    grant(ada, key)
    set_business(enabled_apps=[other for other in EVERY_APP if other != key])
    client = await pipeline.connect(registry.get_app(key).route, cookie=cookie_for(ada))
    state = await client.state(AppAccessState)
    assert (state.status, state.denied_message) == (
        DENIED,
        f"{registry.get_app(key).title} is not switched on in Test Business.",
    )
    await assert_no_app_data(client)


async def test_the_example_app_is_off_until_the_business_enables_it(pipeline, caplog, profiles, frozen_clock):
    account = add_account()
    grant(account, "notes")
    client = await pipeline.connect("/apps/notes", cookie=cookie_for(account))
    assert (await client.state(AppAccessState)).status == DENIED
    set_business(enabled_apps=[*registry.default_enabled_keys(), "notes"])
    client = await pipeline.connect("/apps/notes", cookie=cookie_for(account))
    assert (await client.state(AppAccessState)).status == OPEN


async def test_a_revoked_app_refuses_at_the_next_load_and_forgets_what_it_showed(pipeline, caplog, profiles, ada):
    grant(ada, "notes")
    notes.add_note(ada, "private")
    client = await pipeline.connect("/apps/notes", cookie=cookie_for(ada))
    assert [note["text"] for note in (await client.state(NotesState)).notes] == ["private"]
    with db.write_session() as session:
        grants.revoke_app(session, account_id=ada, app_key="notes")

    await client.send(AppAccessState.open_app, {"key": "notes"})
    await client.send(NotesState.load, {})

    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(AppAccessState)).status == DENIED
    await assert_no_app_data(client)


BAD_KEYS = {
    "none": None,
    "int": 1,
    "unknown": "games",
    "reserved": "portal",
    "upper": "NOTES",
    "list": ["notes"],
    "dict": {"$ne": ""},
    "one-mb": "n" * ONE_MB,
    "nul": "notes\x00",
}


async def test_open_app_sent_by_hand_with_any_key_opens_nothing_it_should_not(pipeline, caplog, profiles, ada):
    grant(ada, "courses")
    cookie = cookie_for(ada)

    async def check(key):
        client = await pipeline.connect("/apps/courses", cookie=cookie)
        await client.send(AppAccessState.open_app, {"key": key})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(AppAccessState)
        assert state.status == DENIED and state.app_key == ""
        assert state.denied_message == "There is no such app in this portal."
        await assert_no_app_data(client)

    await check_each(pipeline, caplog, BAD_KEYS, check)


async def test_open_app_sent_by_hand_for_an_app_not_granted_is_refused(pipeline, caplog, profiles, ada):
    grant(ada, "courses")
    client = await pipeline.connect("/apps/courses", cookie=cookie_for(ada))
    await client.send(AppAccessState.open_app, {"key": "affiliates"}, path="/apps/affiliates")
    state = await client.state(AppAccessState)
    assert (state.status, state.app_key) == (DENIED, "affiliates")
    await assert_no_app_data(client)


# --- the example app's handlers --------------------------------------------------------------------


@pytest.fixture
def notes_user(ada) -> int:
    grant(ada, "notes")
    return ada


async def test_adding_a_note(pipeline, caplog, profiles, notes_user):
    client = await pipeline.connect("/apps/notes", cookie=cookie_for(notes_user))
    await client.send(NotesState.add_note, {"form_data": {"text": "  Buy flour  "}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(NotesState)
    assert [note["text"] for note in state.notes] == ["Buy flour"]
    assert (state.notice, state.text_error) == ("Note saved.", "")
    assert [item.kind for item in activity.timeline(notes_user, app_key="notes").items] == ["note_added"]


async def test_add_note_with_a_payload_that_is_not_a_form_stores_nothing(pipeline, caplog, profiles, notes_user):
    cookie = cookie_for(notes_user)

    async def check(payload):
        client = await pipeline.connect("/apps/notes", cookie=cookie)
        await client.send(NotesState.add_note, {"form_data": payload})
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(NotesState)).text_error == "Write something in the note first."
        assert all_notes() == []

    await check_each(pipeline, caplog, NOT_A_FORM, check)


async def test_add_note_with_text_that_is_not_usable_stores_nothing(pipeline, caplog, profiles, notes_user):
    cookie = cookie_for(notes_user)
    cases = {**NOT_A_STRING, "too-long": "x" * 501, "one-mb": "x" * ONE_MB, "escape": "a\x1b[2J", "bidi": "a\u202eb"}

    async def check(text):
        client = await pipeline.connect("/apps/notes", cookie=cookie)
        await client.send(NotesState.add_note, {"form_data": {"text": text}})
        assert_nothing_crashed(pipeline, caplog)
        error = (await client.state(NotesState)).text_error
        assert error and error.endswith(".") and len(error) < 100
        assert all_notes() == []

    await check_each(pipeline, caplog, cases, check)


async def test_add_note_checks_the_session_and_access_at_every_event(pipeline, caplog, profiles, notes_user):
    token = start_session(notes_user)
    client = await pipeline.connect("/apps/notes", cookie=f"{COOKIE}={token}")
    assert (await client.state(AppAccessState)).status == OPEN

    sessions.end_session(token)
    await client.send(NotesState.add_note, {"form_data": {"text": "after logout"}})
    assert client.redirects()[-1] == "/login?next=/apps/notes"

    client = await pipeline.connect("/apps/notes", cookie=cookie_for(notes_user))
    profiles.mark_incomplete(notes_user)
    await client.send(NotesState.add_note, {"form_data": {"text": "profile incomplete"}})
    assert client.redirects()[-1] == "/profile?needed_for=notes"

    profiles.mark_complete(notes_user)
    with db.write_session() as session:
        grants.revoke_app(session, account_id=notes_user, app_key="notes")
    await client.send(NotesState.add_note, {"form_data": {"text": "revoked"}})
    assert (await client.state(AppAccessState)).status == DENIED

    assert_nothing_crashed(pipeline, caplog)
    assert all_notes() == []


async def test_a_tab_without_a_session_cannot_add_a_note(pipeline, caplog, profiles, notes_user):
    client = await pipeline.connect("/apps/notes")
    await client.send(NotesState.add_note, {"form_data": {"text": "sneaky"}})
    assert_nothing_crashed(pipeline, caplog)
    assert client.redirects()[-1] == "/login?next=/apps/notes"
    assert all_notes() == []


async def test_deleting_reaches_only_ones_own_notes(pipeline, caplog, profiles, notes_user, frozen_clock):
    grace = add_account("grace@example.com", "Grace Hopper")
    grant(grace, "notes")
    mine = notes.add_note(notes_user, "mine")
    theirs = notes.add_note(grace, "theirs")
    client = await pipeline.connect("/apps/notes", cookie=cookie_for(notes_user))

    await client.send(NotesState.delete_note, {"note_id": str(theirs.id)})
    assert (await client.state(NotesState)).notice == "That note no longer exists."
    assert {note.text for note in all_notes()} == {"mine", "theirs"}

    await client.send(NotesState.delete_note, {"note_id": str(mine.id)})
    state = await client.state(NotesState)
    assert (state.notice, state.notes) == ("Note deleted.", [])
    assert [note.text for note in all_notes()] == ["theirs"]
    assert_nothing_crashed(pipeline, caplog)


async def test_delete_note_with_ids_that_are_not_ids_deletes_nothing(pipeline, caplog, profiles, notes_user):
    note = notes.add_note(notes_user, "keep me")
    cookie = cookie_for(notes_user)
    cases = {
        **NOT_A_STRING,
        "int-id": note.id,
        "negative": f"-{note.id}",
        "padded": f" {note.id}",
        "plus": f"+{note.id}",
        "float-text": f"{note.id}.0",
        "huge": "9" * 30,
        "arabic-digits": "١",
        "sql": f"{note.id} OR 1=1",
        "one-mb": "1" * ONE_MB,
    }

    async def check(note_id):
        client = await pipeline.connect("/apps/notes", cookie=cookie)
        await client.send(NotesState.delete_note, {"note_id": note_id})
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(NotesState)).notice == "That note no longer exists."
        assert [row.text for row in all_notes()] == ["keep me"]

    await check_each(pipeline, caplog, cases, check)


async def test_the_notes_page_shows_only_ones_own_notes(pipeline, caplog, profiles, notes_user):
    grace = add_account("grace@example.com", "Grace Hopper")
    notes.add_note(grace, "grace's secret")
    notes.add_note(notes_user, "mine")
    client = await pipeline.connect("/apps/notes", cookie=cookie_for(notes_user))
    assert [note["text"] for note in (await client.state(NotesState)).notes] == ["mine"]


# --- a page with a route parameter: /apps/notes/[note] ----------------------------------------------


async def test_a_note_opens_by_the_id_in_its_url(pipeline, caplog, profiles, notes_user):
    mine = notes.add_note(notes_user, "bring the ladder")
    client = await pipeline.connect(f"/apps/notes/{mine.id}", cookie=cookie_for(notes_user))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(NotesState)
    assert (state.status, state.open_note["text"], state.open_note_missing) == (OPEN, "bring the ladder", False)


@pytest.mark.parametrize("segment", ["other", "999999", "abc", "-1", "1e3", "%00", "7%2F..", "x" * 300])
async def test_a_note_url_that_is_not_one_of_mine_shows_nothing_of_anyones(
    pipeline, caplog, profiles, notes_user, segment
):
    grace = add_account("grace@example.com", "Grace Hopper")
    theirs = notes.add_note(grace, "grace's secret")
    path = f"/apps/notes/{theirs.id if segment == 'other' else segment}"
    client = await pipeline.connect(path, cookie=cookie_for(notes_user))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(NotesState)
    assert (state.open_note, state.open_note_missing) == ({}, True)
    assert "grace's secret" not in str((await client.root_state()).dict())


async def test_a_note_page_without_access_shows_nothing(pipeline, caplog, profiles, ada):
    mine = notes.add_note(ada, "no grant yet")
    client = await pipeline.connect(f"/apps/notes/{mine.id}", cookie=cookie_for(ada))
    state = await client.state(NotesState)
    assert (state.status, state.open_note) == (DENIED, {})
    assert "no grant yet" not in str((await client.root_state()).dict())
