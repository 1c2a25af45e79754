"""A group's member list, and moderators deciding on requests to join."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups
from portal_app.apps.communities.models import GroupMember
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.apps.support import add_account


def make_role(account_id: int, role: str) -> None:
    with db.write_session() as session:
        for member in session.exec(select(GroupMember).where(GroupMember.account_id == account_id)):
            member.role = role
            session.add(member)


@pytest.fixture
def secret(database, frozen_clock):
    groups.create_group(Actor("owner@example.com"), name="Secret", visibility="private")
    people = {name: add_account(f"{name.lower()}@example.com", name) for name in ("Mo", "Ann", "Zed", "Eve")}
    for name in ("Mo", "Ann"):
        groups.join(people[name], "secret")
        with db.write_session() as session:
            member = session.exec(select(GroupMember).where(GroupMember.account_id == people[name])).one()
            member.status = "active"
            session.add(member)
    make_role(people["Mo"], "moderator")
    groups.join(people["Zed"], "secret")  # waiting
    return people


def test_members_see_the_active_members_and_moderators_also_see_requests(secret):
    listing = groups.members(secret["Ann"], "secret")
    assert (listing.group_name, listing.moderator) == ("Secret", False)
    listed = [(m.name, m.role, m.status) for m in listing.members]
    assert listed == [("Mo", "moderator", "active"), ("Ann", "member", "active")]
    listed = [(m.name, m.status) for m in groups.members(secret["Mo"], "secret").members]
    assert listed == [("Mo", "active"), ("Ann", "active"), ("Zed", "pending")]
    for outsider in (secret["Zed"], secret["Eve"]):
        with pytest.raises(LookupError):
            groups.members(outsider, "secret")


def test_a_moderator_approves_or_declines_and_members_cannot(secret):
    with pytest.raises(FormErrors):
        groups.decline(secret["Ann"], "secret", secret["Zed"])
    groups.decline(secret["Mo"], "secret", secret["Zed"])
    assert [m.name for m in groups.members(secret["Mo"], "secret").members] == ["Mo", "Ann"]
    with pytest.raises(LookupError):
        groups.decline(secret["Mo"], "secret", secret["Zed"])
    assert groups.join(secret["Zed"], "secret") == "pending"  # may ask again
    groups.set_member_status(secret["Mo"], "secret", secret["Zed"], "active")
    assert [m.name for m in groups.members(secret["Zed"], "secret").members] == ["Mo", "Ann", "Zed"]
    for bad in (None, "1", True, 10**30):
        with pytest.raises(LookupError):
            groups.decline(secret["Mo"], "secret", bad)
