"""Staff edit a group (its fields, its address, its cover) and arrange its channels; every change audited,
bad input refused field by field with nothing stored."""

from __future__ import annotations

import io

import pytest
from sqlmodel import col, select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.apps import files
from portal_app.apps.communities import groups, owner, owner_channels, posts
from portal_app.apps.communities.models import Channel, CommunityGroup, Post
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.apps.support import add_account

STAFF = Actor("owner@example.com")
APP = "communities"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\x01" * 50
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\xff" * 50
HTML = b"<!DOCTYPE html><script>alert(1)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def audit_log() -> list[tuple[str, str, str]]:
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [(entry.action.removeprefix("communities."), entry.target, entry.detail) for entry in entries]


def actions() -> list[str]:
    return [action for action, _, _ in audit_log()]


def group_row(slug: str) -> CommunityGroup | None:
    with db.read_session() as session:
        return session.exec(select(CommunityGroup).where(CommunityGroup.slug == slug)).first()


def on_disk() -> list[str]:
    folder = files.app_folder(APP)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def edit(slug: str = "bakers", **changes):
    values = {
        "name": "Bakers",
        "new_slug": "bakers",
        "description": "Bread and more.",
        "visibility": "public",
        "posting": "everyone",
    }
    values.update(changes)
    return owner.update_group(STAFF, slug, **values)


@pytest.fixture
def bakers(database, frozen_clock) -> str:
    return groups.create_group(STAFF, name="Bakers", description="Bread and more.")


# --- the group's fields ----------------------------------------------------------------------------------


def test_editing_changes_each_field_and_audits_what_changed(bakers):
    assert edit() == ("bakers", False)
    assert actions() == ["group_created"]
    slug, changed = edit(
        name="Bread Club",
        new_slug="bread-club",
        description="All things *bread*.",
        visibility="private",
        posting="admins",
    )
    assert (slug, changed) == ("bread-club", True)
    row = group_row("bread-club")
    assert (row.name, row.description, row.visibility, row.posting) == (
        "Bread Club",
        "All things *bread*.",
        "private",
        "admins",
    )
    assert group_row("bakers") is None
    action, target, detail = audit_log()[-1]
    assert (action, target) == ("group_updated", "bread-club")
    assert (
        '"old_slug": "bakers"' in detail
        and '"changed": ["description", "name", "posting", "slug", "visibility"]' in detail
    )
    details = owner.group_details("bread-club")
    assert (details.name, details.visibility, details.cover_url, details.members) == ("Bread Club", "private", "", 0)


def test_a_member_feed_follows_the_new_rules(bakers):
    ann = add_account()
    groups.join(ann, "bakers")
    edit(posting="admins")
    with pytest.raises(FormErrors, match="admins"):
        posts.create_post(ann, "bakers", "general", title="", body="Hello")


def test_each_refused_field_is_named_and_nothing_changes(bakers):
    groups.create_group(STAFF, name="Walkers")
    before = group_row("bakers")
    cases = {
        "name": ({"name": "  "}, "Give the group a name."),
        "long-name": ({"name": "x" * 121}, "Keep the name to 120 characters or fewer."),
        "control": ({"name": "Bad\u202ename"}, "invisible control characters"),
        "slug-case": ({"new_slug": "Bakers"}, "lower-case"),
        "slug-empty": ({"new_slug": ""}, "lower-case"),
        "slug-path": ({"new_slug": "../x"}, "lower-case"),
        "slug-taken": ({"new_slug": "walkers"}, "Another group already uses the address walkers."),
        "visibility": ({"visibility": "secret"}, "Choose public or private."),
        "posting": ({"posting": {"$ne": ""}}, "Choose who may post"),
        "description": ({"description": "x" * 2001}, "Keep the description to 2,000 characters or fewer."),
        "not-text": ({"name": ["Bakers"], "description": 7}, "Give the group a name."),
    }
    for case, (changes, message) in cases.items():
        with pytest.raises(FormErrors) as refused:
            edit(**changes)
        assert message in " ".join(refused.value.errors.values()), case
    with pytest.raises(FormErrors) as refused:
        edit(name="", new_slug="BAD", visibility="x", posting="y", description=None)
    assert sorted(refused.value.errors) == ["description", "name", "posting", "slug", "visibility"]
    assert group_row("bakers") == before
    assert actions() == ["group_created", "group_created"]


def test_editing_a_group_that_is_not_there_is_a_lookup_error(bakers):
    for slug in ("gone", "../etc", None, 5, "B"):
        with pytest.raises(LookupError):
            edit(slug)
        with pytest.raises(LookupError):
            owner.group_details(slug)


# --- the cover -------------------------------------------------------------------------------------------


def test_a_cover_replaces_the_old_one_and_leaves_only_its_file(bakers):
    owner.set_cover(STAFF, "bakers", io.BytesIO(PNG))
    first = group_row("bakers").cover_file
    assert on_disk() == [first] and first.endswith(".png")
    assert owner.group_details("bakers").cover_url == f"/api/apps/communities/covers/bakers?v={first[:8]}"
    owner.set_cover(STAFF, "bakers", io.BytesIO(GIF))
    second = group_row("bakers").cover_file
    assert on_disk() == [second] and second.endswith(".gif")
    assert owner.remove_cover(STAFF, "bakers") is True
    assert on_disk() == [] and group_row("bakers").cover_file == ""
    assert owner.remove_cover(STAFF, "bakers") is False
    assert actions() == ["group_created", "cover_set", "cover_set", "cover_removed"]


def test_a_file_that_is_not_an_image_or_too_large_is_refused_and_not_kept(bakers):
    cases = {
        "html": (HTML, "That kind of file is not taken here."),
        "svg": (SVG, "That kind of file is not taken here."),
        "empty": (b"", "That file is empty."),
        "too-large": (PNG + b"\x00" * owner.MAX_COVER_BYTES, "That file is too large: the limit is 5 MB."),
    }
    for case, (data, message) in cases.items():
        with pytest.raises(FormErrors) as refused:
            owner.set_cover(STAFF, "bakers", io.BytesIO(data))
        assert message in refused.value.errors["cover"], case
    with pytest.raises(FormErrors):
        owner.set_cover(STAFF, "bakers", "not a file")
    with pytest.raises(LookupError):
        owner.set_cover(STAFF, "gone", io.BytesIO(PNG))
    assert on_disk() == [] and group_row("bakers").cover_file == ""
    assert actions() == ["group_created"]


# --- channels ----------------------------------------------------------------------------------------------


def listing(slug: str = "bakers") -> list[tuple[str, str, int, bool]]:
    return [(c.slug, c.name, c.posts, c.is_general) for c in owner_channels.channels(slug)]


def test_channels_are_added_with_an_address_from_their_name(bakers):
    assert owner_channels.add_channel(STAFF, "bakers", "  Show & Tell  ") == "show-tell"
    assert owner_channels.add_channel(STAFF, "bakers", "Show / Tell?") == "show-tell-2"
    assert owner_channels.add_channel(STAFF, "bakers", "Members") == "members-2"
    assert owner_channels.add_channel(STAFF, "bakers", "Доска") == "channel"
    assert listing() == [
        ("general", "General", 0, True),
        ("show-tell", "Show & Tell", 0, False),
        ("show-tell-2", "Show / Tell?", 0, False),
        ("members-2", "Members", 0, False),
        ("channel", "Доска", 0, False),
    ]
    assert actions()[-4:] == ["channel_added"] * 4
    assert audit_log()[-1][1] == "bakers/channel"


def test_a_channel_name_is_refused_when_empty_long_hidden_or_taken(bakers):
    owner_channels.add_channel(STAFF, "bakers", "Recipes")
    cases = {
        "empty": ("   ", "Give the channel a name."),
        "not-text": (None, "Give the channel a name."),
        "long": ("x" * 61, "Keep the channel name to 60 characters or fewer."),
        "control": ("Re\x00cipes", "invisible control characters"),
        "taken": ("RECIPES", "This group already has a channel called Recipes."),
        "general": ("general", "This group already has a channel called General."),
    }
    for case, (name, message) in cases.items():
        with pytest.raises(FormErrors) as refused:
            owner_channels.add_channel(STAFF, "bakers", name)
        assert message in refused.value.errors["channel_name"], case
    assert len(listing()) == 2 and actions() == ["group_created", "channel_added"]


def test_a_group_has_at_most_so_many_channels(bakers, monkeypatch):
    monkeypatch.setattr(owner_channels, "MAX_CHANNELS", 2)
    owner_channels.add_channel(STAFF, "bakers", "Recipes")
    with pytest.raises(FormErrors, match="at most 2 channels"):
        owner_channels.add_channel(STAFF, "bakers", "More")


def test_renaming_keeps_the_address_and_refuses_a_taken_name(bakers):
    owner_channels.add_channel(STAFF, "bakers", "Recipes")
    assert owner_channels.rename_channel(STAFF, "bakers", "recipes", "Favourite recipes") is True
    assert owner_channels.rename_channel(STAFF, "bakers", "general", "Lobby") is True
    assert owner_channels.rename_channel(STAFF, "bakers", "general", "Lobby") is False
    with pytest.raises(FormErrors) as refused:
        owner_channels.rename_channel(STAFF, "bakers", "recipes", "lobby")
    assert refused.value.errors == {"rename": "This group already has a channel called Lobby."}
    assert owner_channels.rename_channel(STAFF, "bakers", "recipes", "FAVOURITE recipes") is True
    assert listing() == [("general", "Lobby", 0, True), ("recipes", "FAVOURITE recipes", 0, False)]
    for slug in ("gone", "../x", None, 3):
        with pytest.raises(LookupError):
            owner_channels.rename_channel(STAFF, "bakers", slug, "New")
    assert actions().count("channel_renamed") == 3


def test_channels_move_up_and_down_and_stop_at_the_ends(bakers):
    for name in ("Recipes", "Events"):
        owner_channels.add_channel(STAFF, "bakers", name)
    assert owner_channels.move_channel(STAFF, "bakers", "events", "up") is True
    assert [row[0] for row in listing()] == ["general", "events", "recipes"]
    assert owner_channels.move_channel(STAFF, "bakers", "general", "down") is True
    assert [row[0] for row in listing()] == ["events", "general", "recipes"]
    assert owner_channels.move_channel(STAFF, "bakers", "events", "up") is False
    assert owner_channels.move_channel(STAFF, "bakers", "recipes", "down") is False
    for direction in ("left", None, 1, ["up"]):
        with pytest.raises(LookupError):
            owner_channels.move_channel(STAFF, "bakers", "events", direction)
    assert actions().count("channel_moved") == 2


def test_deleting_a_channel_moves_its_posts_to_general_and_general_stays(bakers):
    ann = add_account()
    groups.join(ann, "bakers")
    owner_channels.add_channel(STAFF, "bakers", "Recipes")
    kept = posts.create_post(ann, "bakers", "recipes", title="Sourdough", body="Starter first")
    posts.add_comment(ann, "bakers", kept, body="Yum")
    assert listing()[1] == ("recipes", "Recipes", 1, False)
    assert owner_channels.delete_channel(STAFF, "bakers", "recipes") == 1
    assert listing() == [("general", "General", 1, True)]
    with db.read_session() as session:
        post = session.get(Post, kept)
        general = session.exec(select(Channel).where(Channel.slug == "general")).one()
    assert (post.channel_id, post.comment_count) == (general.id, 1)
    assert audit_log()[-1][:2] == ("channel_deleted", "bakers/recipes")
    assert '"posts_moved_to_general": 1' in audit_log()[-1][2]
    with pytest.raises(FormErrors, match="The General channel stays"):
        owner_channels.delete_channel(STAFF, "bakers", "general")
    with pytest.raises(LookupError):
        owner_channels.delete_channel(STAFF, "bakers", "recipes")
    assert [item.title for item in posts.feed(ann, "bakers").posts] == ["Sourdough"]


def test_another_groups_channel_is_not_found(bakers):
    groups.create_group(STAFF, name="Walkers")
    owner_channels.add_channel(STAFF, "walkers", "Routes")
    for call in (
        lambda: owner_channels.rename_channel(STAFF, "bakers", "routes", "Mine"),
        lambda: owner_channels.move_channel(STAFF, "bakers", "routes", "up"),
        lambda: owner_channels.delete_channel(STAFF, "bakers", "routes"),
    ):
        with pytest.raises(LookupError):
            call()
    assert [row[0] for row in listing("walkers")] == ["general", "routes"]
