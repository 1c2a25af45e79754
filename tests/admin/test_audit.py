"""The audit log: newest first, paginated, never a secret."""

from __future__ import annotations

import json

from portal_app.admin import audit
from portal_app.kernel import db
from tests.support.admin import STAFF_PASSWORD, audit_entries, create_staff


def test_newest_first_in_pages(database, frozen_clock):
    with db.write_session() as session:
        for number in range(30):
            frozen_clock.advance(seconds=1)
            audit.record(session, audit.CLI, action="test", target=f"thing {number}")
    first = audit.list_entries(1)
    second = audit.list_entries(2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (30, 2, 25, 5)
    assert first.items[0].target == "thing 29" and second.items[-1].target == "thing 0"
    assert audit.list_entries(7).number == 2


def test_entries_with_the_same_time_keep_their_order(database, frozen_clock):
    with db.write_session() as session:
        for number in range(3):
            audit.record(session, audit.CLI, action="test", target=str(number))
    assert [row.target for row in audit.list_entries().items] == ["2", "1", "0"]


def test_creating_a_staff_account_is_recorded_without_its_password(database, frozen_clock):
    create_staff()
    [entry] = audit_entries()
    assert (entry.actor, entry.staff_id, entry.action, entry.target) == (
        "cli",
        None,
        "staff_created",
        "owner@studio.example",
    )
    assert json.loads(entry.detail) == {"name": "Olive Owner"}
    assert STAFF_PASSWORD not in entry.detail and "argon2" not in entry.detail


def test_a_huge_detail_is_cut_to_a_note(database, frozen_clock):
    with db.write_session() as session:
        audit.record(session, audit.CLI, action="test", detail={"big": "x" * 10_000})
    [entry] = audit_entries()
    assert json.loads(entry.detail) == {"note": "detail too long to keep", "keys": ["big"]}
