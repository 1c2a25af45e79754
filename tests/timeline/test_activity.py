"""The timeline: recording entries, reading them newest first page by page, one app at a time; and the
portal's own events recorded by signup, invitations, code login and grants."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from portal_app.accounts import code_login, invitations
from portal_app.apps import registry
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY, Activity
from tests.apps.support import add_account, set_business
from tests.support.accounts import accounts_for, latest_email, open_invitation_entry, sign_up
from tests.support.browser import TEST_BROWSER


def add(account_id: int, app_key: str, kind: str, summary: str = "", *, at=None) -> None:
    with db.write_session() as session:
        activity.record(session, account_id=account_id, app_key=app_key, kind=kind, summary=summary, at=at)


def kinds(account_id: int) -> list[tuple[str, str]]:
    return [(item.app_key, item.kind) for item in activity.timeline(account_id, limit=100).items]


def all_pages(account_id: int, **filters) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = activity.timeline(account_id, before=cursor, **filters)
        pages.append([item.id for item in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


# --- recording --------------------------------------------------------------------------------------


def test_a_kind_must_be_declared_by_its_app(database, frozen_clock):
    account = add_account()
    for app_key, kind in [
        ("courses", "note_added"),
        ("notes", "account_created"),
        ("games", "won"),
        (PORTAL_APP_KEY, "typo"),
    ]:
        with pytest.raises(ValueError, match="is not declared"):
            add(account, app_key, kind)
    assert kinds(account) == []


def test_a_summary_is_one_printable_line_of_at_most_300_characters(database, frozen_clock):
    account = add_account()
    add(account, "notes", "note_added", "  first\nsecond\t\x00third\u202e  " + "x" * 400)
    [entry] = activity.timeline(account).items
    assert entry.summary.startswith("first second third xxx") and len(entry.summary) == activity.MAX_SUMMARY
    assert entry.summary.isprintable()


# --- reading ----------------------------------------------------------------------------------------


def test_newest_first_with_labels_and_sources_from_the_registry(database, frozen_clock):
    account = add_account()
    add(account, PORTAL_APP_KEY, "account_created", "Signed up")
    frozen_clock.advance(minutes=1)
    add(account, "courses", "course_enrolled", "Baking basics")
    frozen_clock.advance(minutes=1)
    add(account, "notes", "note_added", "Buy flour")
    items = activity.timeline(account).items
    assert [(item.source, item.label, item.summary) for item in items] == [
        ("Notes", "Added a note", "Buy flour"),
        ("Membership Courses", "Enrolled in a course", "Baking basics"),
        ("Your account", "Account created", "Signed up"),
    ]
    assert items[0].occurred_at == frozen_clock.current and activity.timeline(account).next_cursor is None


def test_entries_at_the_same_moment_keep_a_stable_order_across_pages(database, frozen_clock):
    account = add_account()
    for number in range(45):
        add(account, "notes", "note_added", f"note {number}", at=frozen_clock.current + timedelta(seconds=number // 10))
    pages = all_pages(account)
    assert [len(page) for page in pages] == [20, 20, 5]
    ids = [entry_id for page in pages for entry_id in page]
    with db.read_session() as session:
        expected = list(
            session.exec(select(Activity.id).order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc()))
        )
    assert ids == expected and len(set(ids)) == 45


def test_exactly_one_page_has_no_next_cursor(database, frozen_clock):
    account = add_account()
    for _ in range(20):
        add(account, "notes", "note_added")
    assert activity.timeline(account).next_cursor is None
    assert activity.timeline(account, limit=19).next_cursor is not None


def test_one_app_only_and_never_another_accounts_entries(database, frozen_clock):
    ada, grace = add_account(), add_account("grace@example.com", "Grace Hopper")
    for minute in range(30):
        frozen_clock.advance(minutes=1)
        add(ada, "courses" if minute % 3 == 0 else "notes", "lesson_completed" if minute % 3 == 0 else "note_added")
        add(grace, "courses", "course_enrolled")
    course_pages = all_pages(ada, app_key="courses")
    assert [len(page) for page in course_pages] == [10]
    assert {item.app_key for item in activity.timeline(ada, app_key="courses").items} == {"courses"}
    assert sum(len(page) for page in all_pages(ada, app_key="notes")) == 20
    assert sum(len(page) for page in all_pages(ada)) == 30
    assert activity.timeline(ada, app_key="communities").items == ()
    grace_ids = {entry_id for page in all_pages(grace) for entry_id in page}
    assert grace_ids.isdisjoint(entry_id for page in all_pages(ada) for entry_id in page)


def test_a_cursor_from_another_account_only_positions_within_ones_own(database, frozen_clock):
    ada, grace = add_account(), add_account("grace@example.com", "Grace Hopper")
    for _ in range(25):
        frozen_clock.advance(seconds=1)
        add(ada, "notes", "note_added")
        add(grace, "notes", "note_added")
    grace_cursor = activity.timeline(grace).next_cursor
    assert {item.id for item in activity.timeline(ada, before=grace_cursor).items} <= {
        entry_id for page in all_pages(ada) for entry_id in page
    }


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "abc",
        "1.2.3",
        "1",
        ".5",
        "1.",
        "-.1",
        "1e5.2",
        " 1.2",
        "1.2 ",
        "9" * 20 + ".1",
        "9" * 19 + ".1",
        "1.0x1",
        "١.٢",
    ],
)
def test_a_malformed_cursor_is_refused(database, cursor):
    account = add_account()
    with pytest.raises(ValueError):
        activity.timeline(account, before=cursor)


@pytest.mark.parametrize("cursor", [None, 5, 1.5, ["1.2"], {"a": 1}, b"1.2"])
def test_a_cursor_that_is_not_a_string_is_refused(database, cursor):
    account = add_account()
    if cursor is None:
        activity.timeline(account, before=cursor)
        return
    with pytest.raises(ValueError):
        activity.timeline(account, before=cursor)


@pytest.mark.parametrize("limit", [0, -1, 101, 2.0, "20", None, True])
def test_a_page_size_outside_1_to_100_is_refused(database, limit):
    account = add_account()
    if limit is True:  # bool is an int in Python; True asks for one entry
        assert activity.timeline(account, limit=limit).items == ()
        return
    with pytest.raises(ValueError):
        activity.timeline(account, limit=limit)


def test_the_sources_with_entries_portal_first_then_switcher_order(database, frozen_clock):
    account = add_account()
    assert activity.timeline_sources(account) == []
    add(account, "notes", "note_added")
    add(account, "affiliates", "referral_made")
    add(account, PORTAL_APP_KEY, "email_verified")
    add(add_account("grace@example.com"), "courses", "course_enrolled")
    assert activity.timeline_sources(account) == [
        (PORTAL_APP_KEY, "Your account"),
        ("affiliates", "Affiliate Manager"),
        ("notes", "Notes"),
    ]


def test_counts_by_kind_for_one_app(database, frozen_clock):
    account = add_account()
    add(account, "courses", "course_enrolled")
    add(account, "courses", "lesson_completed")
    add(account, "courses", "lesson_completed")
    add(account, "communities", "community_joined")
    assert activity.counts_by_kind(account, "courses") == {"course_enrolled": 1, "lesson_completed": 2}
    assert activity.counts_by_kind(account, "affiliates") == {}


def test_an_entry_of_an_app_no_longer_registered_still_reads(database, frozen_clock):
    account = add_account()
    with db.write_session() as session:
        session.add(
            Activity(
                account_id=account,
                app_key="old_shop",
                kind="order_placed",
                summary="",
                occurred_at=frozen_clock.current,
            )
        )
    [entry] = activity.timeline(account).items
    assert (entry.source, entry.label) == ("Old shop", "Order placed")


# --- the portal's own events --------------------------------------------------------------------------


def test_a_signup_records_account_created_and_email_verified(database, frozen_clock):
    sign_up("ada@example.com")
    [account] = accounts_for("ada@example.com")
    assert sorted(kinds(account.id)) == [(PORTAL_APP_KEY, "account_created"), (PORTAL_APP_KEY, "email_verified")]
    summaries = {item.kind: item.summary for item in activity.timeline(account.id).items}
    assert summaries == {"account_created": "Signed up", "email_verified": "ada@example.com"}


def invitation_code(to: str) -> str:
    return re.search(r"^    (\d{6})$", latest_email(to).text_body, re.MULTILINE).group(1)


def test_an_invitation_records_the_account_and_its_grants_then_the_first_code_login_the_verification(
    database, frozen_clock
):
    result = invitations.invite(
        email="grace@example.com", full_name="Grace Hopper", app_keys=["courses", "communities"]
    )
    entries = activity.timeline(result.account_id).items
    assert sorted((item.kind, item.summary) for item in entries) == [
        ("account_created", "Invited by Test Business"),
        ("app_granted", "Communities"),
        ("app_granted", "Membership Courses"),
    ]
    frozen_clock.advance(minutes=5)
    open_invitation_entry("grace@example.com")
    code_login.login_with_code(device=TEST_BROWSER, email="grace@example.com", code=invitation_code("grace@example.com"))
    newest = activity.timeline(result.account_id).items[0]
    assert (newest.kind, newest.summary, newest.occurred_at) == (
        "email_verified",
        "grace@example.com",
        frozen_clock.current,
    )

    frozen_clock.advance(minutes=5)
    code_login.request_login_code(device=TEST_BROWSER, email="grace@example.com", ip="203.0.113.5")
    code_login.login_with_code(device=TEST_BROWSER, email="grace@example.com", code=invitation_code("grace@example.com"))
    assert [item.kind for item in activity.timeline(result.account_id).items].count("email_verified") == 1


def test_a_signup_on_an_invited_email_verifies_that_account_once(database, frozen_clock):
    result = invitations.invite(email="grace@example.com", full_name="Grace Hopper", app_keys=["courses"])
    sign_up("grace@example.com", full_name="Grace Hopper")
    assert [account.id for account in accounts_for("grace@example.com")] == [result.account_id]
    assert [item.kind for item in activity.timeline(result.account_id).items].count("email_verified") == 1
    frozen_clock.advance(minutes=2)
    sign_up("grace@example.com", full_name="Grace Hopper")
    assert [item.kind for item in activity.timeline(result.account_id).items].count("email_verified") == 1


def test_with_duplicates_on_each_signup_has_its_own_timeline(database, frozen_clock):
    set_business(allow_duplicate_contacts=True)
    sign_up("ada@example.com")
    frozen_clock.advance(minutes=2)
    sign_up("ada@example.com")
    first, second = accounts_for("ada@example.com")
    assert len(kinds(first.id)) == len(kinds(second.id)) == 2


def test_a_failed_invitation_leaves_no_entry(database, frozen_clock):
    invitations.invite(email="grace@example.com", full_name="Grace Hopper", app_keys=["courses"])
    with db.read_session() as session:
        before = len(session.exec(select(Activity)).all())
    with pytest.raises(FieldError):
        invitations.invite(email="grace@example.com", full_name="Grace Hopper", app_keys=["courses"])
    with db.read_session() as session:
        assert len(session.exec(select(Activity)).all()) == before
    assert registry.app_choices()  # the registry still answers
