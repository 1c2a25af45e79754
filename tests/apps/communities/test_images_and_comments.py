"""Post images (stored, served only to readers, removed with the post, orphans swept), editing comments
and liking them."""

from __future__ import annotations

import io
import os
import time

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps import files
from portal_app.apps.communities import groups, images, moderation, posts
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.communities.models import CommunityGroup, GroupMember
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError, FormErrors
from tests.apps.support import add_account

OWNER = Actor("owner@example.com")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def bakers(database, frozen_clock):
    groups.create_group(OWNER, name="Bakers")
    groups.create_group(OWNER, name="Secret", visibility="private")
    ann, bob = add_account("ann@example.com", "Ann Poster"), add_account("bob@example.com", "Bob Other")
    groups.join(ann, "bakers")
    groups.join(bob, "bakers")
    return ann, bob


def _image() -> str:
    return images.store_image(io.BytesIO(PNG)).name


def test_a_post_with_an_image_shows_it_to_readers_with_its_description(bakers):
    ann, bob = bakers
    post = posts.create_post(ann, "bakers", "general", title="Loaf", body="Look", image=_image(), image_alt="A loaf")
    [item] = posts.feed(bob, "bakers").posts
    assert item.image_url == f"/api/apps/communities/images/{post}" and item.image_alt == "A loaf"
    served = images.post_image(bob, post)
    assert served.content_type == "image/png" and served.path.read_bytes() == PNG
    # Not a reader (a private group's post), not a post, not an image: the same refusal.
    stranger = add_account("s@example.com", "Stranger")
    groups.create_group(OWNER, name="Inner", visibility="private", owner_account_id=ann)
    inner = posts.create_post(ann, "inner", "general", title="", body="x", image=_image())
    for who, what in ((stranger, inner), (bob, inner), (bob, 999), (bob, "1"), (bob, True)):
        with pytest.raises(LookupError):
            images.post_image(who, what)
    assert images.post_image_for_staff(inner).content_type == "image/png"


def test_only_images_are_taken_and_not_too_large(bakers):
    with pytest.raises(FieldError, match="kind of file"):
        images.store_image(io.BytesIO(b"<svg onload=alert(1)></svg>"))
    with pytest.raises(FieldError, match="too large"):
        images.store_image(io.BytesIO(PNG + b"\x00" * images.MAX_IMAGE_BYTES))
    assert list(files.app_folder(APP_KEY).iterdir()) == []


def test_a_name_that_is_no_stored_file_gives_no_image_and_a_long_description_is_refused(bakers):
    ann, _ = bakers
    post = posts.create_post(ann, "bakers", "general", title="", body="x", image="../../etc/passwd")
    assert posts.feed(ann, "bakers").posts[0].image_url == ""
    with pytest.raises(LookupError):
        images.post_image(ann, post)
    with pytest.raises(FormErrors) as refused:
        posts.create_post(ann, "bakers", "general", title="", body="x", image=_image(), image_alt="x" * 301)
    assert "image_alt" in refused.value.errors


def test_a_hidden_posts_image_is_for_its_author_and_moderators(bakers):
    ann, bob = bakers
    mod = add_account("mod@example.com", "Mod")
    groups.join(mod, "bakers")
    _set_role(mod, "moderator")
    post = posts.create_post(ann, "bakers", "general", title="", body="x", image=_image())
    moderation.set_post_flag(mod, "bakers", post, "hidden", True)
    assert images.post_image(ann, post) and images.post_image(mod, post)
    with pytest.raises(LookupError):
        images.post_image(bob, post)


def test_deleting_a_post_removes_its_image_and_the_sweep_removes_old_orphans(bakers):
    ann, _ = bakers
    name = _image()
    post = posts.create_post(ann, "bakers", "general", title="", body="x", image=name)
    orphan, fresh = _image(), _image()
    old = time.time() - images.ORPHAN_AGE_SECONDS - 60
    for stored in (name, orphan):
        os.utime(files.path_of(APP_KEY, stored), (old, old))
    assert images.sweep_orphans() == 1  # the old orphan; the posted image and the fresh draft stay
    assert files.path_of(APP_KEY, orphan) is None and files.path_of(APP_KEY, fresh) is not None
    posts.delete_post(ann, "bakers", post)
    assert files.path_of(APP_KEY, name) is None


def test_a_group_cover_is_served_by_slug(bakers):
    name = _image()
    with db.write_session() as session:
        group = session.exec(select(CommunityGroup).where(CommunityGroup.slug == "bakers")).one()
        group.cover_file = name
        session.add(group)
    assert images.cover("bakers").path.name == name
    for slug in ("secret", "nope", None, 5):
        with pytest.raises(LookupError):
            images.cover(slug)


def test_authors_edit_their_comments_and_nobody_else_can(bakers):
    ann, bob = bakers
    post = posts.create_post(ann, "bakers", "general", title="", body="x")
    comment = posts.add_comment(bob, "bakers", post, body="Frist")
    posts.edit_comment(bob, "bakers", comment, body="First")
    [item] = posts.post_view(bob, "bakers", post).comments
    assert item.body_html == "<p>First</p>\n" and item.edited and item.body_markdown == "First"
    # Others see the text, never the raw form; they cannot change it.
    assert posts.post_view(ann, "bakers", post).comments[0].body_markdown == ""
    for who, target in ((ann, comment), (bob, 999), (bob, "1"), (bob, None)):
        with pytest.raises(LookupError):
            posts.edit_comment(who, "bakers", target, body="Changed")
    with pytest.raises(FormErrors):
        posts.edit_comment(bob, "bakers", comment, body="   ")
    with pytest.raises(FormErrors):
        posts.edit_comment(bob, "bakers", comment, body="x" * 100_000)
    # Another group's comment id through this group: refused like a missing one.
    groups.create_group(OWNER, name="Other")
    groups.join(bob, "other")
    with pytest.raises(LookupError):
        posts.edit_comment(bob, "other", comment, body="Changed")
    assert posts.post_view(bob, "bakers", post).comments[0].body_html == "<p>First</p>\n"


def test_liking_a_comment_counts_once_per_member_and_toggles(bakers):
    ann, bob = bakers
    post = posts.create_post(ann, "bakers", "general", title="", body="x")
    comment = posts.add_comment(bob, "bakers", post, body="Nice")
    assert posts.toggle_comment_like(ann, "bakers", comment) == (True, 1)
    assert posts.toggle_comment_like(bob, "bakers", comment) == (True, 2)
    assert posts.toggle_comment_like(ann, "bakers", comment) == (False, 1)
    [item] = posts.post_view(bob, "bakers", post).comments
    assert item.like_count == 1 and item.liked
    outsider = add_account("o@example.com", "Outsider")
    with pytest.raises(FormErrors):
        posts.toggle_comment_like(outsider, "bakers", comment)
    with pytest.raises(LookupError):
        posts.toggle_comment_like(ann, "secret", comment)


def _set_role(account_id: int, role: str) -> None:
    with db.write_session() as session:
        member = session.exec(select(GroupMember).where(GroupMember.account_id == account_id)).one()
        member.role = role
        session.add(member)
