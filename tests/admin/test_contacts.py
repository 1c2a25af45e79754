"""Contacts: search, an account's details, and the audited changes staff make to accounts."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from portal_app.accounts import sessions
from portal_app.accounts.models import Account
from portal_app.admin import audit, contacts
from portal_app.apps.models import AppGrant
from portal_app.business import service as business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.profile.models import Profile
from portal_app.timeline.models import Activity
from tests.support.admin import audit_entries, make_account

OWNER = audit.Actor("owner@studio.example", None)


def grants(account_id: int) -> list[str]:
    with db.read_session() as session:
        return sorted(session.exec(select(AppGrant.app_key).where(AppGrant.account_id == account_id)))


def test_search_finds_name_or_email_in_any_case(database, frozen_clock):
    ada = make_account("ada@example.com", "Ada Lovelace")
    grace = make_account("grace@navy.example", "Grace Hopper")
    make_account("alan@example.com", "Alan Turing")
    assert [row.id for row in contacts.search("LOVELACE").items] == [ada]
    assert [row.id for row in contacts.search("  NAVY.example ").items] == [grace]
    assert [row.full_name for row in contacts.search("").items] == ["Alan Turing", "Grace Hopper", "Ada Lovelace"]
    assert [row.full_name for row in contacts.search("a").items][:1] == ["Alan Turing"]
    assert contacts.search("nobody").total == 0


@pytest.mark.parametrize("query", ["%", "_", "\\", "%a%", "a_a"])
def test_wildcards_are_searched_for_literally(database, frozen_clock, query):
    make_account("ada@example.com", "Ada Lovelace")
    assert contacts.search(query).total == 0
    literal = make_account("odd@example.com", f"Odd {query} Name")
    assert [row.id for row in contacts.search(query).items] == [literal]


@pytest.mark.parametrize("query", [None, 42, ["ada"], {"$ne": ""}, "\x00ada", "a" * 10_000])
def test_odd_queries_search_safely(database, frozen_clock, query):
    make_account("ada@example.com", "Ada Lovelace")
    assert contacts.search(query).total in (0, 1)


def test_search_is_paginated(database, frozen_clock):
    for number in range(45):
        make_account(f"person{number}@example.com", f"Person {number}")
    first, third = contacts.search("person", 1), contacts.search("person", 3)
    assert (first.total, first.pages, len(first.items), len(third.items)) == (45, 3, 20, 5)
    assert first.items[0].full_name == "Person 44" and third.items[-1].full_name == "Person 0"
    assert contacts.search("person", 99).number == 3


def test_rows_say_status_and_apps(database, frozen_clock):
    joined = make_account("a@example.com", invited_at=frozen_clock.current, email_verified_at=frozen_clock.current)
    waiting = make_account("b@example.com", invited_at=frozen_clock.current)
    disabled = make_account("c@example.com", disabled_at=frozen_clock.current)
    contacts.set_app_access(OWNER, joined, "courses", granted=True)
    rows = {row.id: row for row in contacts.search("").items}
    assert (rows[joined].status, rows[waiting].status, rows[disabled].status) == ("Active", "Invited", "Disabled")
    assert rows[joined].app_titles == ("Membership Courses",) and rows[waiting].app_titles == ()


def test_detail_has_profile_basics_apps_and_recent_activity(database, frozen_clock):
    account_id = make_account("ada@example.com", "Ada Lovelace", email_verified_at=frozen_clock.current)
    with db.write_session() as session:
        for number in range(20):
            frozen_clock.advance(minutes=1)
            session.add(
                Activity(
                    account_id=account_id,
                    app_key="courses",
                    kind="lesson",
                    summary=f"Lesson {number}",
                    occurred_at=frozen_clock.current,
                )
            )
    contacts.set_app_access(OWNER, account_id, "communities", granted=True)
    detail = contacts.contact_detail(account_id)
    assert (detail.full_name, detail.email, detail.status, detail.has_password) == (
        "Ada Lovelace",
        "ada@example.com",
        "Active",
        False,
    )
    assert {app.key: app.granted for app in detail.apps}["communities"] is True
    assert {app.key: app.granted for app in detail.apps}["courses"] is False
    assert len(detail.activity) == contacts.RECENT_ACTIVITY
    assert detail.activity[0].occurred_at >= detail.activity[-1].occurred_at
    assert "Lesson 19" in [row.summary for row in detail.activity]
    assert contacts.contact_detail(999) is None


def test_detail_shows_the_profile(database, frozen_clock):
    account_id = make_account("ada@example.com", "Ada Lovelace")
    assert contacts.contact_detail(account_id).missing_fields == ("Phone",)
    with db.write_session() as session:
        session.add(
            Profile(
                account_id=account_id,
                phone="+442079460958",
                address_line1="12 Analytical Row",
                city="London",
                country="GB",
                time_zone="Europe/London",
                language="en",
                updated_at=frozen_clock.current,
            )
        )
    detail = contacts.contact_detail(account_id)
    assert (detail.phone, detail.time_zone, detail.missing_fields) == ("+442079460958", "Europe/London", ())
    assert detail.address.startswith("12 Analytical Row, London, ") and detail.language


def test_grant_and_revoke_are_audited_with_the_change(database, frozen_clock):
    account_id = make_account("ada@example.com")
    assert contacts.set_app_access(OWNER, account_id, "courses", granted=True) is True
    assert contacts.set_app_access(OWNER, account_id, "courses", granted=True) is False
    assert grants(account_id) == ["courses"]
    assert contacts.set_app_access(OWNER, account_id, "courses", granted=False) is True
    assert contacts.set_app_access(OWNER, account_id, "courses", granted=False) is False
    assert grants(account_id) == []
    entries = audit_entries()
    assert [(entry.actor, entry.action, entry.target) for entry in entries] == [
        (OWNER.label, "app_granted", f"account {account_id} <ada@example.com>"),
        (OWNER.label, "app_revoked", f"account {account_id} <ada@example.com>"),
    ]
    assert json.loads(entries[0].detail) == {"app": "courses"}


def test_unknown_apps_and_accounts_change_nothing(database, frozen_clock):
    account_id = make_account("ada@example.com")
    with pytest.raises(ValueError):
        contacts.set_app_access(OWNER, account_id, "billing", granted=True)
    with pytest.raises(LookupError):
        contacts.set_app_access(OWNER, 999, "courses", granted=True)
    with pytest.raises(LookupError):
        contacts.set_disabled(OWNER, 999, disabled=True)
    assert audit_entries() == [] and grants(account_id) == []


def test_disable_signs_out_and_re_enable_is_audited(database, frozen_clock):
    account_id = make_account("ada@example.com")
    with db.write_session() as session:
        token = sessions.create_session(session, account_id=account_id, auth_method="password", user_agent="", ip="")
    assert contacts.set_disabled(OWNER, account_id, disabled=True) is True
    assert sessions.account_for_token(token) is None
    assert contacts.set_disabled(OWNER, account_id, disabled=True) is False
    assert contacts.set_disabled(OWNER, account_id, disabled=False) is True
    assert [entry.action for entry in audit_entries()] == ["account_disabled", "account_enabled"]


def test_invite_creates_the_account_and_its_audit_entry_together(database, frozen_clock):
    result = contacts.invite(OWNER, email="New@Client.example", full_name="Nia New", app_keys=["affiliates", "courses"])
    assert grants(result.account_id) == ["affiliates", "courses"]
    [entry] = audit_entries()
    assert (entry.action, entry.target) == ("account_invited", f"account {result.account_id} <new@client.example>")
    assert json.loads(entry.detail) == {"name": "Nia New", "apps": ["courses", "affiliates"]}
    with db.read_session() as session:
        assert session.exec(select(OutboxEmail.template)).all() == ["invitation"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "nope"}, "email", "Enter a valid email address, like name@example.com."),
        ({"full_name": " "}, "full_name", "Enter the person's full name, at most 100 characters."),
        ({"app_keys": []}, "apps", "Choose at least one app."),
        ({"app_keys": ["billing"]}, "apps", "Choose at least one app."),
        ({"app_keys": "courses"}, "apps", "Choose at least one app."),
        ({"email": "taken@client.example"}, "email", "An account already exists for taken@client.example."),
    ],
)
def test_a_refused_invitation_leaves_no_account_and_no_audit_entry(database, frozen_clock, fields, field, message):
    make_account("taken@client.example", exclusive_email="taken@client.example")
    arguments = {"email": "new@client.example", "full_name": "Nia New", "app_keys": ["courses"], **fields}
    with pytest.raises(FieldError) as refused:
        contacts.invite(OWNER, **arguments)
    assert refused.value.field == field
    assert contacts.describe_invite_problem(refused.value) == message
    with db.read_session() as session:
        assert len(session.exec(select(Account)).all()) == 1
    assert audit_entries() == []


def test_an_invitation_with_duplicates_allowed_shares_the_email(database, frozen_clock):
    business.set_allow_duplicate_contacts(True)
    make_account("shared@client.example")
    result = contacts.invite(OWNER, email="shared@client.example", full_name="Second Account", app_keys=["courses"])
    assert contacts.search("shared").items[0].id == result.account_id
