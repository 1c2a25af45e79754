"""Staff manage a group's membership: the list (by status, search, pages by name), adding by email, roles,
approving, banning, reinstating, removing; every change audited, and the member's access follows."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.apps.communities import groups, owner_members, posts
from portal_app.apps.communities.models import GroupMember
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from portal_app.timeline.models import Activity
from tests.apps.support import add_account, grant, set_business

STAFF = Actor("owner@example.com")


def actions() -> list[tuple[str, str]]:
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [(entry.action.removeprefix("communities."), entry.target) for entry in entries]


def memberships(slug: str = "secret") -> dict[int, tuple[str, str]]:
    with db.read_session() as session:
        rows = session.exec(select(GroupMember)).all()
    return {row.account_id: (row.role, row.status) for row in rows}


def shown(page) -> list[tuple[str, str, str]]:
    return [(m.name, m.role, m.status) for m in page.members]


@pytest.fixture
def secret(database, frozen_clock) -> dict[str, int]:
    """A private group with a member, someone waiting and someone banned."""
    groups.create_group(STAFF, name="Secret", visibility="private")
    people = {
        name: add_account(f"{name}@example.com", full_name)
        for name, full_name in (("ann", "ann Able"), ("bob", "Bob Baker"), ("eve", "Eve Evans"), ("zed", "Zed Zane"))
    }
    for name in ("ann", "bob", "eve"):
        groups.join(people[name], "secret")
    with db.write_session() as session:
        for member in session.exec(select(GroupMember)):
            member.status = {"ann": "active", "bob": "pending", "eve": "banned"}[
                next(k for k, v in people.items() if v == member.account_id)
            ]
            session.add(member)
    return people


def test_the_list_shows_every_status_by_name_with_counts_and_filters(secret):
    page = owner_members.members_page("secret")
    assert shown(page) == [
        ("ann Able", "member", "active"),
        ("Bob Baker", "member", "pending"),
        ("Eve Evans", "member", "banned"),
    ]
    assert page.counts == {"active": 1, "pending": 1, "banned": 1}
    assert (page.group_name, page.next_after) == ("Secret", None)
    assert shown(owner_members.members_page("secret", status="pending")) == [("Bob Baker", "member", "pending")]
    assert shown(owner_members.members_page("secret", query=" EVANS ")) == [("Eve Evans", "member", "banned")]
    assert shown(owner_members.members_page("secret", query="bob@example")) == [("Bob Baker", "member", "pending")]
    assert shown(owner_members.members_page("secret", query="%")) == []
    assert shown(owner_members.members_page("secret", query="_")) == []
    for bad in ({"status": "everyone"}, {"status": None}, {"after": "x"}, {"after": ("a", "1")}, {"after": ("a",)}):
        with pytest.raises(LookupError):
            owner_members.members_page("secret", **bad)
    with pytest.raises(LookupError):
        owner_members.members_page("gone")


def test_a_large_group_pages_by_name_without_repeats(database, frozen_clock, monkeypatch):
    monkeypatch.setattr(owner_members, "PAGE_SIZE", 3)
    groups.create_group(STAFF, name="Big")
    names = ["amy", "Ben", "cat", "Cat", "dan", "Eli", "fay"]
    for number, name in enumerate(names):
        groups.join(add_account(f"p{number}@example.com", name), "big")
    seen, after = [], None
    while True:
        page = owner_members.members_page("big", after=after)
        seen.extend(member.name for member in page.members)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == ["amy", "Ben", "cat", "Cat", "dan", "Eli", "fay"]


def test_adding_by_email_makes_an_active_member_with_a_role(secret):
    set_business(enabled_apps=["communities"])
    grant(secret["zed"], "communities")
    added = owner_members.add_member(STAFF, "secret", email=" ZED@example.com ", role="moderator")
    assert (added.name, added.may_open_app) == ("Zed Zane", True)
    assert memberships()[secret["zed"]] == ("moderator", "active")
    assert actions()[-1] == ("member_added", f"secret/member/{secret['zed']}")
    assert groups.members(secret["zed"], "secret").moderator is True
    with db.read_session() as session:
        kinds = [row.kind for row in session.exec(select(Activity).where(Activity.account_id == secret["zed"]))]
    assert kinds.count("community_joined") == 1


def test_adding_someone_waiting_approves_them_and_the_page_says_when_they_lack_the_app(secret):
    added = owner_members.add_member(STAFF, "secret", email="bob@example.com", role="member")
    assert (added.name, added.may_open_app) == ("Bob Baker", False)
    assert memberships()[secret["bob"]] == ("member", "active")


def test_adding_is_refused_with_a_message_for_each_reason(secret):
    before = memberships()
    cases = {
        "empty": ({"email": "  "}, "email", "Enter the email address of the person to add."),
        "not-text": ({"email": ["a@example.com"]}, "email", "Enter the email address of the person to add."),
        "not-an-address": ({"email": "nobody"}, "email", "An email address must have an @-sign."),
        "no-account": ({"email": "nobody@example.com"}, "email", "No account uses that email address."),
        "active": ({"email": "ann@example.com"}, "email", "ann Able is already a member (member)."),
        "banned": ({"email": "eve@example.com"}, "email", "Eve Evans is banned from this group."),
        "role": ({"email": "zed@example.com", "role": "king"}, "role", "Choose a role"),
        "role-not-text": ({"email": "zed@example.com", "role": {"$ne": ""}}, "role", "Choose a role"),
    }
    for case, (given, field, message) in cases.items():
        with pytest.raises(FormErrors) as refused:
            owner_members.add_member(STAFF, "secret", **{"role": "member", **given})
        assert message in refused.value.errors[field], case
    with pytest.raises(LookupError):
        owner_members.add_member(STAFF, "gone", email="zed@example.com", role="member")
    assert memberships() == before
    assert actions() == [("group_created", "secret")]


def test_two_accounts_on_one_email_ask_which_one(secret):
    first = add_account("twin@example.com", "Twin One")
    second = add_account("twin@example.com", "Twin Two")
    with pytest.raises(owner_members.SeveralAccounts) as asked:
        owner_members.add_member(STAFF, "secret", email="twin@example.com", role="member")
    assert [(c.account_id, c.name) for c in asked.value.choices] == [(first, "Twin One"), (second, "Twin Two")]
    with pytest.raises(owner_members.SeveralAccounts):
        owner_members.add_member(STAFF, "secret", email="twin@example.com", role="member", account_id=secret["ann"])
    owner_members.add_member(STAFF, "secret", email="twin@example.com", role="member", account_id=second)
    assert memberships()[second] == ("member", "active") and first not in memberships()


def test_roles_statuses_and_removal_are_audited_and_change_access(secret):
    ann, bob, eve = secret["ann"], secret["bob"], secret["eve"]
    assert owner_members.set_role(STAFF, "secret", ann, "admin") is True
    assert owner_members.set_role(STAFF, "secret", ann, "admin") is False
    owner_members.set_status(STAFF, "secret", bob, "approve")
    owner_members.set_status(STAFF, "secret", eve, "reinstate")
    owner_members.set_status(STAFF, "secret", ann, "ban")
    with pytest.raises(LookupError):
        posts.feed(ann, "secret")
    posts.feed(bob, "secret")
    with pytest.raises(FormErrors, match="lift the ban"):
        owner_members.remove_member(STAFF, "secret", ann)
    owner_members.remove_member(STAFF, "secret", eve)
    assert memberships() == {ann: ("admin", "banned"), bob: ("member", "active")}
    assert actions()[1:] == [
        ("member_role_changed", f"secret/member/{ann}"),
        ("member_approved", f"secret/member/{bob}"),
        ("member_reinstated", f"secret/member/{eve}"),
        ("member_banned", f"secret/member/{ann}"),
        ("member_removed", f"secret/member/{eve}"),
    ]


def test_a_declined_request_is_audited_as_such(secret):
    owner_members.remove_member(STAFF, "secret", secret["bob"])
    assert actions()[-1] == ("request_declined", f"secret/member/{secret['bob']}")
    assert secret["bob"] not in memberships()


def test_a_status_change_that_does_not_apply_is_refused(secret):
    before = memberships()
    for account, action in (("ann", "approve"), ("ann", "reinstate"), ("bob", "reinstate"), ("eve", "ban")):
        with pytest.raises(FormErrors, match="The list shows it as stored"):
            owner_members.set_status(STAFF, "secret", secret[account], action)
    for account_id, action in (
        (secret["ann"], "promote"),
        (secret["zed"], "ban"),
        ("1", "ban"),
        (True, "ban"),
        (2**70, "ban"),
    ):
        with pytest.raises(LookupError):
            owner_members.set_status(STAFF, "secret", account_id, action)
    for role in ("king", None, ["admin"]):
        with pytest.raises(FormErrors):
            owner_members.set_role(STAFF, "secret", secret["ann"], role)
    with pytest.raises(LookupError):
        owner_members.set_role(STAFF, "secret", secret["zed"], "admin")
    with pytest.raises(LookupError):
        owner_members.remove_member(STAFF, "secret", secret["zed"])
    assert memberships() == before
    assert len(actions()) == 1
