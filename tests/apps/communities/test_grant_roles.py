"""Roles on the app's grant: a "moderator" or "admin" grant moderates every group, private ones included;
a banned person stays out whatever their grant says; a plain grant gives nothing beyond membership."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps import grants
from portal_app.apps.communities import groups, moderation, posts
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.apps.support import add_account

OWNER = Actor("owner@example.com")


def _grant(account_id: int, role: str | None) -> None:
    with db.write_session() as session:
        grants.grant_app(session, account_id=account_id, app_key="communities", role=role)


@pytest.fixture
def world(database, frozen_clock):
    owner = add_account("owner@example.com", "Group Owner")
    groups.create_group(OWNER, name="Secret", visibility="private", owner_account_id=owner)
    groups.create_group(OWNER, name="Open")
    post = posts.create_post(owner, "secret", "general", title="Inside", body="Members only")
    return owner, post


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_an_app_moderator_reads_and_moderates_every_group(world, role):
    _, post = world
    mod = add_account("mod@example.com", "App Mod")
    _grant(mod, role)
    assert [item.title for item in posts.feed(mod, "secret").posts] == ["Inside"]
    moderation.set_post_flag(mod, "secret", post, "hidden", True)
    assert posts.feed(mod, "secret").posts[0].hidden
    # Reading is not membership: posting still needs one.
    with pytest.raises(FormErrors):
        posts.create_post(mod, "secret", "general", title="", body="Hello")


def test_a_plain_grant_gives_nothing_beyond_membership(world):
    _, post = world
    member = add_account("m@example.com", "Plain Member")
    _grant(member, "member")
    with pytest.raises(LookupError):
        posts.feed(member, "secret")
    groups.join(member, "open")
    with pytest.raises(FormErrors):
        moderation.set_post_flag(member, "open", post, "hidden", True)


def test_a_banned_app_moderator_stays_out_of_that_group(world):
    owner, _ = world
    mod = add_account("mod@example.com", "App Mod")
    groups.join(mod, "secret")
    groups.set_member_status(owner, "secret", mod, "banned")
    _grant(mod, "admin")
    with pytest.raises(LookupError):
        posts.feed(mod, "secret")


def test_an_app_moderator_cannot_ban_a_group_owner_but_can_ban_a_member(world):
    owner, _ = world
    mod, member = add_account("mod@example.com", "App Mod"), add_account("m@example.com", "Member")
    _grant(mod, "moderator")
    groups.join(member, "open")
    groups.set_member_status(mod, "open", member, "banned")
    with pytest.raises(FormErrors):
        groups.set_member_status(mod, "secret", owner, "banned")
    from portal_app.apps.communities.models import GroupMember

    with db.read_session() as session:
        assert session.exec(select(GroupMember.status).where(GroupMember.account_id == member)).one() == "banned"
