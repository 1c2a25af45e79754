"""Communities' groups: who may read a group, joining, leaving, approving and banning, the person's
list of groups with their new posts, the groups to join, the timeline and the home card."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups, posts, service
from portal_app.apps.communities.models import Channel, CommunityGroup, GroupMember, Post
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from portal_app.timeline import service as activity
from tests.apps.support import add_account

OWNER = Actor("owner@example.com")


def kinds(account_id: int) -> list[str]:
    return [item.kind for item in activity.timeline(account_id, app_key="communities", limit=100).items]


def set_role(account_id: int, slug: str, role: str) -> None:
    with db.write_session() as session:
        member = session.exec(
            select(GroupMember)
            .join(CommunityGroup, CommunityGroup.id == GroupMember.group_id)
            .where(CommunityGroup.slug == slug, GroupMember.account_id == account_id)
        ).one()
        member.role = role
        session.add(member)


def membership(account_id: int, slug: str) -> tuple[str, str] | None:
    with db.read_session() as session:
        member = session.exec(
            select(GroupMember)
            .join(CommunityGroup, CommunityGroup.id == GroupMember.group_id)
            .where(CommunityGroup.slug == slug, GroupMember.account_id == account_id)
        ).first()
        return (member.role, member.status) if member else None


def cards(account_id: int) -> dict[str, tuple[str, str, int]]:
    return {card.slug: (card.status, card.role, card.new_posts) for card in groups.my_groups(account_id)}


@pytest.fixture
def ada(database, frozen_clock) -> int:
    return add_account()


@pytest.fixture
def owner(ada) -> int:
    return add_account("grace@example.com", "Grace Hopper")


@pytest.fixture
def bob(ada) -> int:
    return add_account("bob@example.com", "Bob Baker")


def make_group(owner_id: int, slug: str = "bakers", *, visibility: str = "public", posting: str = "everyone") -> str:
    return groups.create_group(
        OWNER,
        name=f"{slug.title()} group",
        slug=slug,
        visibility=visibility,
        posting=posting,
        owner_account_id=owner_id,
    )


# --- creating ---------------------------------------------------------------------------------------------


def test_a_new_group_has_a_general_channel_and_its_owner(owner):
    assert groups.create_group(OWNER, name="Bread & Butter 101", owner_account_id=owner) == "bread-butter-101"
    with db.read_session() as session:
        group = session.exec(select(CommunityGroup)).one()
        assert [(c.slug, c.name) for c in session.exec(select(Channel).where(Channel.group_id == group.id))] == [
            ("general", "General")
        ]
    assert (group.visibility, group.posting) == ("public", "everyone")
    assert membership(owner, "bread-butter-101") == ("owner", "active")
    assert cards(owner) == {"bread-butter-101": ("active", "owner", 0)}


def test_a_group_is_refused_for_a_taken_address_or_bad_choices(owner):
    make_group(owner)
    with pytest.raises(FormErrors) as taken:
        groups.create_group(OWNER, name="Bakers again", slug="bakers")
    assert "slug" in taken.value.errors
    with pytest.raises(FormErrors) as bad:
        groups.create_group(OWNER, name="  ", slug="Not A Slug", visibility="secret", posting="nobody")
    assert set(bad.value.errors) == {"name", "slug", "visibility", "posting"}
    with db.read_session() as session:
        assert [g.slug for g in session.exec(select(CommunityGroup))] == ["bakers"]


# --- who may read -----------------------------------------------------------------------------------------


def test_a_public_group_opens_to_anyone_who_is_not_banned(owner, ada):
    make_group(owner)
    with db.read_session() as session:
        opened = groups.open_group(session, ada, "bakers")
    assert (opened.group.slug, opened.membership, opened.active, opened.may_post) == ("bakers", None, False, False)


def test_a_private_group_opens_only_to_its_active_members(owner, ada, bob):
    make_group(owner, "inner", visibility="private")
    groups.join(bob, "inner")

    def opens(account_id: int) -> bool:
        with db.read_session() as session:
            try:
                groups.open_group(session, account_id, "inner")
            except LookupError:
                return False
            return True

    assert (opens(owner), opens(ada), opens(bob)) == (True, False, False)
    groups.set_member_status(owner, "inner", bob, "active")
    assert opens(bob) is True
    groups.set_member_status(owner, "inner", bob, "banned")
    assert opens(bob) is False


def test_no_such_group_and_a_private_group_are_refused_alike(owner, ada):
    make_group(owner, "inner", visibility="private")
    messages = []
    for slug in ("inner", "nowhere"):
        for call in (
            lambda slug=slug: posts.feed(ada, slug),
            lambda slug=slug: posts.create_post(ada, slug, "general", title="", body="Hello"),
        ):
            with pytest.raises(LookupError) as refused:
                call()
            messages.append(str(refused.value))
    # The feed's and the post's refusals of the private group read as for a group that is not there.
    assert messages[0] == messages[2] and messages[1] == messages[3], messages


def test_a_slug_that_is_not_an_address_is_refused(ada):
    for slug in (None, "", "UPPER", "a/b", 5, "x" * 81):
        with pytest.raises(LookupError):
            posts.feed(ada, slug)
        with pytest.raises(LookupError):
            groups.join(ada, slug)


# --- joining and leaving ----------------------------------------------------------------------------------


def test_joining_a_public_group_is_at_once_and_on_the_timeline(owner, ada):
    make_group(owner)
    assert groups.join(ada, "bakers") == "active"
    assert membership(ada, "bakers") == ("member", "active")
    assert kinds(ada) == ["community_joined"]
    # Joining again changes nothing and records nothing.
    assert groups.join(ada, "bakers") == "active"
    assert kinds(ada) == ["community_joined"]
    assert posts.feed(ada, "bakers").may_post is True


def test_asking_to_join_a_private_group_waits_for_a_moderator(owner, ada, bob):
    make_group(owner, "inner", visibility="private")
    assert groups.join(ada, "inner") == "pending"
    assert kinds(ada) == []
    assert cards(ada) == {"inner": ("pending", "member", 0)}
    assert [card.slug for card in groups.groups_to_join(ada)] == []
    with pytest.raises(LookupError):
        posts.feed(ada, "inner")
    # A plain member may not approve; the owner may, and the approval goes on the timeline.
    groups.join(bob, "inner")
    groups.set_member_status(owner, "inner", bob, "active")
    with pytest.raises(FormErrors):
        groups.set_member_status(bob, "inner", ada, "active")
    assert membership(ada, "inner") == ("member", "pending")
    groups.set_member_status(owner, "inner", ada, "active")
    assert membership(ada, "inner") == ("member", "active")
    assert kinds(ada) == ["community_joined"]
    assert posts.feed(ada, "inner").group_slug == "inner"


def test_a_request_can_be_withdrawn(owner, ada):
    make_group(owner, "inner", visibility="private")
    groups.join(ada, "inner")
    assert groups.leave(ada, "inner") is True
    assert membership(ada, "inner") is None
    assert [card.slug for card in groups.groups_to_join(ada)] == ["inner"]


def test_leaving_a_group_and_the_owner_who_cannot(owner, ada):
    make_group(owner)
    groups.join(ada, "bakers")
    assert groups.leave(ada, "bakers") is True
    assert groups.leave(ada, "bakers") is False
    assert membership(ada, "bakers") is None and cards(ada) == {}
    with pytest.raises(FormErrors) as refused:
        groups.leave(owner, "bakers")
    assert "group" in refused.value.errors
    assert membership(owner, "bakers") == ("owner", "active")


def test_joining_a_missing_or_archived_group_is_refused(owner, ada):
    make_group(owner)
    with db.write_session() as session:
        group = session.exec(select(CommunityGroup)).one()
        group.archived = True
        session.add(group)
    for slug in ("bakers", "nowhere"):
        with pytest.raises(LookupError):
            groups.join(ada, slug)
    assert membership(ada, "bakers") is None
    assert groups.groups_to_join(ada) == [] and cards(owner) == {}


# --- approving and banning --------------------------------------------------------------------------------


def test_a_banned_member_stays_banned_and_sees_nothing_of_a_public_group(owner, ada):
    make_group(owner)
    post_id = posts.create_post(owner, "bakers", "general", title="Hi", body="Welcome")
    groups.join(ada, "bakers")
    groups.set_member_status(owner, "bakers", ada, "banned")
    assert membership(ada, "bakers") == ("member", "banned")
    for call in (
        lambda: posts.feed(ada, "bakers"),
        lambda: posts.post_view(ada, "bakers", post_id),
        lambda: posts.create_post(ada, "bakers", "general", title="", body="I'm back"),
        lambda: posts.add_comment(ada, "bakers", post_id, body="Let me in"),
        lambda: posts.toggle_post_like(ada, "bakers", post_id),
    ):
        with pytest.raises(LookupError):
            call()
    # Joining again, or leaving to join afresh, does not lift the ban.
    assert groups.join(ada, "bakers") == "banned"
    assert groups.leave(ada, "bakers") is False
    assert membership(ada, "bakers") == ("member", "banned")
    assert cards(ada) == {} and groups.groups_to_join(ada) == []
    # A moderator may reinstate them.
    groups.set_member_status(owner, "bakers", ada, "active")
    assert posts.feed(ada, "bakers").may_post is True


def test_only_moderators_and_above_change_memberships(owner, ada, bob):
    make_group(owner)
    groups.join(ada, "bakers")
    groups.join(bob, "bakers")
    with pytest.raises(FormErrors) as refused:
        groups.set_member_status(ada, "bakers", bob, "banned")
    assert "member" in refused.value.errors
    assert membership(bob, "bakers") == ("member", "active")
    set_role(ada, "bakers", "moderator")
    groups.set_member_status(ada, "bakers", bob, "banned")
    assert membership(bob, "bakers") == ("member", "banned")


def test_no_one_changes_the_membership_of_an_equal_or_higher_role(owner, ada, bob):
    make_group(owner)
    groups.join(ada, "bakers")
    groups.join(bob, "bakers")
    set_role(ada, "bakers", "moderator")
    set_role(bob, "bakers", "moderator")
    for target in (bob, owner, ada):
        with pytest.raises(FormErrors):
            groups.set_member_status(ada, "bakers", target, "banned")
    set_role(bob, "bakers", "admin")
    with pytest.raises(FormErrors):
        groups.set_member_status(ada, "bakers", bob, "banned")
    # The admin may ban the moderator; the owner may ban the admin.
    groups.set_member_status(bob, "bakers", ada, "banned")
    with pytest.raises(FormErrors):
        groups.set_member_status(bob, "bakers", owner, "banned")
    groups.set_member_status(owner, "bakers", bob, "banned")
    assert [membership(a, "bakers") for a in (owner, ada, bob)] == [
        ("owner", "active"),
        ("moderator", "banned"),
        ("admin", "banned"),
    ]


def test_membership_changes_need_a_membership_and_a_known_status(owner, ada, bob):
    make_group(owner)
    make_group(owner, "other")
    groups.join(bob, "other")
    for account_id, status in ((ada, "banned"), (bob, "banned"), (bob, "owner"), ("1", "banned"), (True, "active")):
        with pytest.raises(LookupError):
            groups.set_member_status(owner, "bakers", account_id, status)
    with pytest.raises(LookupError):
        groups.set_member_status(owner, "nowhere", bob, "banned")
    assert membership(ada, "bakers") is None and membership(bob, "other") == ("member", "active")


def test_a_moderator_of_one_group_has_no_say_in_another(owner, ada, bob):
    make_group(owner)
    make_group(owner, "other")
    groups.join(ada, "bakers")
    set_role(ada, "bakers", "moderator")
    groups.join(ada, "other")
    groups.join(bob, "other")
    with pytest.raises(FormErrors):
        groups.set_member_status(ada, "other", bob, "banned")
    assert membership(bob, "other") == ("member", "active")


def test_approving_a_request_is_on_the_timeline_but_reinstating_is_not(owner, ada, bob):
    make_group(owner, "inner", visibility="private")
    groups.join(ada, "inner")
    groups.set_member_status(owner, "inner", ada, "active")
    groups.set_member_status(owner, "inner", ada, "active")
    assert kinds(ada) == ["community_joined"]
    groups.set_member_status(owner, "inner", ada, "banned")
    groups.set_member_status(owner, "inner", ada, "active")
    assert kinds(ada) == ["community_joined"]
    # A request turned down (banned) records nothing.
    groups.join(bob, "inner")
    groups.set_member_status(owner, "inner", bob, "banned")
    assert kinds(bob) == [] and groups.join(bob, "inner") == "banned"


# --- my groups, new posts, groups to join -----------------------------------------------------------------


def test_my_groups_count_others_posts_since_the_last_visit(owner, ada, frozen_clock):
    make_group(owner)
    make_group(owner, "quiet")
    groups.join(ada, "bakers")
    groups.join(ada, "quiet")
    frozen_clock.advance(minutes=1)
    posts.create_post(owner, "bakers", "general", title="One", body="First")
    posts.create_post(owner, "bakers", "general", title="Two", body="Second")
    posts.create_post(ada, "bakers", "general", title="Mine", body="My own")
    assert cards(ada) == {"bakers": ("active", "member", 2), "quiet": ("active", "member", 0)}
    # The author does not count their own posts either.
    assert cards(owner)["bakers"] == ("active", "owner", 1)
    frozen_clock.advance(minutes=1)
    groups.mark_seen(ada, "bakers")
    assert cards(ada)["bakers"] == ("active", "member", 0)
    frozen_clock.advance(minutes=1)
    posts.create_post(owner, "bakers", "general", title="Three", body="Third")
    assert cards(ada)["bakers"] == ("active", "member", 1)


def test_posts_before_joining_are_not_new(owner, ada, frozen_clock):
    make_group(owner)
    posts.create_post(owner, "bakers", "general", title="Old", body="Before Ada came")
    frozen_clock.advance(minutes=1)
    groups.join(ada, "bakers")
    assert cards(ada)["bakers"][2] == 0


def test_hidden_posts_are_not_new(owner, ada, frozen_clock):
    make_group(owner)
    groups.join(ada, "bakers")
    frozen_clock.advance(minutes=1)
    post_id = posts.create_post(owner, "bakers", "general", title="Oops", body="Hidden soon")
    with db.write_session() as session:
        post = session.get(Post, post_id)
        post.hidden = True
        session.add(post)
    assert cards(ada)["bakers"][2] == 0


def test_mark_seen_ignores_non_members_and_bad_slugs(owner, ada):
    make_group(owner)
    groups.mark_seen(ada, "bakers")
    groups.mark_seen(ada, None)
    groups.mark_seen(ada, "nowhere")
    assert membership(ada, "bakers") is None


def test_groups_to_join_lists_the_others_in_order_without_archived_ones(owner, ada):
    make_group(owner, "first")
    make_group(owner, "second", visibility="private")
    make_group(owner, "third")
    make_group(owner, "gone")
    with db.write_session() as session:
        gone = session.exec(select(CommunityGroup).where(CommunityGroup.slug == "gone")).one()
        gone.archived = True
        session.add(gone)
    assert [(c.slug, c.visibility, c.status) for c in groups.groups_to_join(ada)] == [
        ("first", "public", ""),
        ("second", "private", ""),
        ("third", "public", ""),
    ]
    groups.join(ada, "first")
    groups.join(ada, "second")
    assert [c.slug for c in groups.groups_to_join(ada)] == ["third"]
    assert [c.slug for c in groups.groups_to_join(owner)] == []


# --- the home card ----------------------------------------------------------------------------------------


def test_the_home_card_counts_active_groups_and_new_posts(owner, ada, frozen_clock):
    assert service.summary(ada).headline == "No communities yet"
    make_group(owner)
    make_group(owner, "inner", visibility="private")
    groups.join(ada, "inner")
    assert service.summary(ada).headline == "No communities yet"
    groups.join(ada, "bakers")
    card = service.summary(ada)
    assert (card.headline, card.details, card.count) == (
        "Member of 1 community",
        ("Nothing new since your last visit.",),
        1,
    )
    frozen_clock.advance(minutes=1)
    posts.create_post(owner, "bakers", "general", title="", body="News")
    groups.set_member_status(owner, "inner", ada, "active")
    card = service.summary(ada)
    assert (card.headline, card.details, card.count) == ("Member of 2 communities", ("Bakers group: 1 new post",), 2)
