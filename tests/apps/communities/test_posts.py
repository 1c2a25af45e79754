"""Communities' posts: who may read and write them, the feed's pages, limits on posts and comments,
editing and deleting, replies, likes, safe text, the timeline, and writers racing on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups, posts
from portal_app.apps.communities.models import Channel, Comment, CommunityGroup, GroupMember, Post, PostLike
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FormErrors
from portal_app.timeline import service as activity
from tests.apps.courses.support import XSS_PAYLOADS, assert_inert
from tests.apps.support import add_account
from tests.support.database import QueryCounter

OWNER = Actor("owner@example.com")


# --- helpers ----------------------------------------------------------------------------------------------


def make_group(owner_id: int, slug: str = "bakers", *, visibility: str = "public", posting: str = "everyone") -> str:
    return groups.create_group(
        OWNER,
        name=f"{slug.title()} group",
        slug=slug,
        visibility=visibility,
        posting=posting,
        owner_account_id=owner_id,
    )


def group_id(slug: str) -> int:
    with db.read_session() as session:
        return session.exec(select(CommunityGroup.id).where(CommunityGroup.slug == slug)).one()


def add_channel(slug: str, channel: str) -> None:
    with db.write_session() as session:
        session.add(Channel(group_id=group_id(slug), slug=channel, name=channel.title(), position=1))


def set_role(account_id: int, slug: str, role: str) -> None:
    with db.write_session() as session:
        member = session.exec(
            select(GroupMember).where(GroupMember.group_id == group_id(slug), GroupMember.account_id == account_id)
        ).one()
        member.role = role
        session.add(member)


def add_post(slug: str, author_id: int, *, at=None, channel: str = "general", title: str = "", **flags) -> int:
    """A post written straight to the table (no per-minute limit), at a chosen moment."""
    with db.write_session() as session:
        gid = group_id(slug)
        channel_id = session.exec(select(Channel.id).where(Channel.group_id == gid, Channel.slug == channel)).one()
        post = Post(
            group_id=gid,
            channel_id=channel_id,
            author_id=author_id,
            title=title,
            body_markdown=f"Body of {title}",
            created_at=at or clock.now(),
            **flags,
        )
        session.add(post)
        session.flush()
        return post.id


def set_post(post_id: int, **values) -> None:
    with db.write_session() as session:
        post = session.get(Post, post_id)
        for name, value in values.items():
            setattr(post, name, value)
        session.add(post)


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model)))


def post_row(post_id: int) -> Post | None:
    with db.read_session() as session:
        return session.get(Post, post_id)


def kinds(account_id: int) -> list[str]:
    return [item.kind for item in activity.timeline(account_id, app_key="communities", limit=100).items]


def feed_ids(page) -> list[int]:
    return [item.id for item in page.posts]


@pytest.fixture
def ada(database, frozen_clock) -> int:
    return add_account()


@pytest.fixture
def owner(ada) -> int:
    return add_account("grace@example.com", "Grace Hopper")


@pytest.fixture
def bob(ada) -> int:
    return add_account("bob@example.com", "Bob Baker")


@pytest.fixture
def bakers(owner, ada) -> str:
    """A public group Ada is a member of."""
    make_group(owner)
    groups.join(ada, "bakers")
    return "bakers"


# --- who may read and write -------------------------------------------------------------------------------


def writes_and_reads(account_id: int, slug: str, post_id: int) -> list:
    return [
        lambda: posts.feed(account_id, slug),
        lambda: posts.post_view(account_id, slug, post_id),
        lambda: posts.create_post(account_id, slug, "general", title="", body="Hello"),
        lambda: posts.add_comment(account_id, slug, post_id, body="Hello"),
        lambda: posts.toggle_post_like(account_id, slug, post_id),
    ]


def test_a_private_group_is_closed_to_non_members_the_pending_and_the_banned(owner, ada, bob):
    carol = add_account("carol@example.com", "Carol")
    make_group(owner, "inner", visibility="private")
    post_id = posts.create_post(owner, "inner", "general", title="Secret", body="Inside only")
    groups.join(bob, "inner")
    groups.join(carol, "inner")
    groups.set_member_status(owner, "inner", carol, "banned")
    for account_id in (ada, bob, carol):
        for call in writes_and_reads(account_id, "inner", post_id):
            with pytest.raises(LookupError):
                call()
    assert len(rows(Post)) == 1 and rows(Comment) == [] and rows(PostLike) == []
    assert post_row(post_id).like_count == 0 and post_row(post_id).comment_count == 0


def test_an_active_member_of_a_private_group_writes_in_it(owner, ada):
    make_group(owner, "inner", visibility="private")
    post_id = posts.create_post(owner, "inner", "general", title="Secret", body="Inside only")
    groups.join(ada, "inner")
    groups.set_member_status(owner, "inner", ada, "active")
    assert posts.create_post(ada, "inner", "general", title="", body="Thanks") > post_id
    posts.add_comment(ada, "inner", post_id, body="Glad to be here")
    assert posts.toggle_post_like(ada, "inner", post_id) == (True, 1)
    assert (post_row(post_id).comment_count, post_row(post_id).like_count) == (1, 1)


def test_an_active_member_of_a_private_group_reads_it(owner, ada):
    make_group(owner, "inner", visibility="private")
    post_id = posts.create_post(owner, "inner", "general", title="Secret", body="Inside only")
    groups.join(ada, "inner")
    groups.set_member_status(owner, "inner", ada, "active")
    assert feed_ids(posts.feed(ada, "inner")) == [post_id]
    assert posts.post_view(ada, "inner", post_id).post.title == "Secret"


def test_a_public_group_is_written_in_by_its_members_only(owner, ada):
    make_group(owner)
    post_id = posts.create_post(owner, "bakers", "general", title="Hi", body="Welcome")
    for call, field in (
        (lambda: posts.create_post(ada, "bakers", "general", title="", body="Me too"), "body"),
        (lambda: posts.add_comment(ada, "bakers", post_id, body="Me too"), "body"),
        (lambda: posts.toggle_post_like(ada, "bakers", post_id), "like"),
    ):
        with pytest.raises(FormErrors) as refused:
            call()
        assert field in refused.value.errors
    assert len(rows(Post)) == 1 and rows(Comment) == [] and rows(PostLike) == []
    assert kinds(ada) == []


def test_a_public_group_is_read_by_anyone(owner, ada):
    make_group(owner)
    post_id = posts.create_post(owner, "bakers", "general", title="Hi", body="Welcome")
    page = posts.feed(ada, "bakers")
    assert (feed_ids(page), page.may_post) == ([post_id], False)
    view = posts.post_view(ada, "bakers", post_id)
    assert (view.post.title, view.may_comment, view.moderator) == ("Hi", False, False)


def test_another_groups_post_or_channel_is_refused_through_this_group(bakers, owner, ada):
    make_group(owner, "other")
    add_channel("other", "recipes")
    groups.join(ada, "other")
    theirs = posts.create_post(owner, "other", "general", title="Theirs", body="Other group")
    for call in (
        lambda: posts.post_view(ada, "bakers", theirs),
        lambda: posts.add_comment(ada, "bakers", theirs, body="Sneaky"),
        lambda: posts.toggle_post_like(ada, "bakers", theirs),
        lambda: posts.edit_post(owner, "bakers", theirs, title="", body="Changed"),
        lambda: posts.delete_post(owner, "bakers", theirs),
        lambda: posts.create_post(ada, "bakers", "recipes", title="", body="Wrong channel"),
        lambda: posts.feed(ada, "bakers", "recipes"),
    ):
        with pytest.raises(LookupError):
            call()
    [stored] = rows(Post)
    assert (stored.id, stored.body_markdown, stored.like_count, stored.comment_count) == (theirs, "Other group", 0, 0)
    assert rows(Comment) == [] and rows(PostLike) == []


def test_ids_that_are_not_row_ids_are_refused(bakers, ada):
    for post_id in (None, "1", 0, -1, True, 2**63, 1.0):
        with pytest.raises(LookupError):
            posts.toggle_post_like(ada, "bakers", post_id)
        with pytest.raises(LookupError):
            posts.add_comment(ada, "bakers", post_id, body="Hi")


# --- the feed ---------------------------------------------------------------------------------------------


def test_an_empty_feed_has_no_next_page(bakers, ada):
    page = posts.feed(ada, "bakers")
    assert (page.posts, page.pinned, page.next_cursor, page.may_post) == ((), (), None, True)


def test_the_feed_pages_through_45_posts_newest_first_without_gaps_or_overlap(bakers, owner, ada, frozen_clock):
    start = clock.now()
    ids = []
    for n in range(45):
        # Three posts share each moment, and moments differ by a second and some microseconds.
        at = start + timedelta(seconds=n // 3, microseconds=(n // 3) * 12_345)
        ids.append(add_post("bakers", owner, at=at, title=f"Post {n}"))
    expected = [post_id for _, post_id in sorted(((i // 3, post_id) for i, post_id in enumerate(ids)), reverse=True)]
    seen, cursor, sizes = [], None, []
    while True:
        page = posts.feed(ada, "bakers", after=cursor)
        sizes.append(len(page.posts))
        seen.extend(feed_ids(page))
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sizes == [20, 20, 5]
    assert seen == expected


def test_a_feed_of_exactly_one_page_has_no_next_cursor(bakers, owner, ada):
    for n in range(posts.PAGE_SIZE):
        add_post("bakers", owner, title=f"Post {n}")
    page = posts.feed(ada, "bakers")
    assert (len(page.posts), page.next_cursor) == (posts.PAGE_SIZE, None)


def test_pinned_posts_lead_the_first_page_only_and_are_not_repeated(bakers, owner, ada, frozen_clock):
    start = clock.now()
    ids = [add_post("bakers", owner, at=start + timedelta(minutes=n), title=f"Post {n}") for n in range(25)]
    set_post(ids[0], pinned=True)
    set_post(ids[10], pinned=True)
    first = posts.feed(ada, "bakers")
    assert [item.id for item in first.pinned] == [ids[10], ids[0]]
    assert all(item.pinned for item in first.pinned)
    second = posts.feed(ada, "bakers", after=first.next_cursor)
    assert second.pinned == () and second.next_cursor is None
    shown = feed_ids(first) + feed_ids(second)
    assert shown == [post_id for post_id in reversed(ids) if post_id not in (ids[0], ids[10])]


def test_a_feed_page_is_read_in_the_same_few_statements_however_many_posts_authors_and_pins(
    bakers, owner, ada, bob, frozen_clock
):
    groups.join(bob, "bakers")
    add_channel("bakers", "recipes")
    start = clock.now()
    first = add_post("bakers", owner, at=start, title="First")
    with QueryCounter() as few:
        posts.feed(ada, "bakers")
    for n in range(30):
        author = (owner, ada, bob)[n % 3]
        channel = "recipes" if n % 2 else "general"
        add_post("bakers", author, at=start + timedelta(minutes=n + 1), channel=channel, title=f"Post {n}")
    set_post(first, pinned=True)
    liked = feed_ids(posts.feed(ada, "bakers"))[0]
    posts.toggle_post_like(ada, "bakers", liked)
    with QueryCounter() as many:
        page = posts.feed(ada, "bakers")
    # The group, the pinned posts, the page, the channels, the authors' names, the reader's likes.
    assert many.count == few.count <= 6
    assert [item.id for item in page.pinned] == [first]
    assert [item.channel for item in page.posts[:2]] == ["recipes", "general"]
    assert [item.id for item in page.posts if item.liked] == [liked]
    assert {item.author for item in page.posts} == {"Grace Hopper", "Ada Lovelace", "Bob Baker"}


def test_hidden_posts_are_shown_to_moderators_only(bakers, owner, ada, bob, frozen_clock):
    groups.join(bob, "bakers")
    start = clock.now()
    shown = add_post("bakers", owner, at=start, title="Shown")
    hidden = add_post("bakers", ada, at=start + timedelta(seconds=1), title="Hidden", hidden=True)
    hidden_pin = add_post(
        "bakers", owner, at=start + timedelta(seconds=2), title="Hidden pin", hidden=True, pinned=True
    )
    assert feed_ids(posts.feed(bob, "bakers")) == [shown]
    assert posts.feed(bob, "bakers").pinned == ()
    for call in (
        lambda: posts.post_view(bob, "bakers", hidden),
        lambda: posts.add_comment(bob, "bakers", hidden, body="What was it?"),
        lambda: posts.toggle_post_like(bob, "bakers", hidden),
    ):
        with pytest.raises(LookupError):
            call()
    # Its author still opens it; the group's moderators see it in the feed.
    assert posts.post_view(ada, "bakers", hidden).post.id == hidden
    set_role(bob, "bakers", "moderator")
    page = posts.feed(bob, "bakers")
    assert (feed_ids(page), [item.id for item in page.pinned]) == ([hidden, shown], [hidden_pin])
    assert feed_ids(posts.feed(owner, "bakers")) == [hidden, shown]


def test_a_channel_feed_shows_that_channel_only(bakers, owner, ada, frozen_clock):
    add_channel("bakers", "recipes")
    general = posts.create_post(ada, "bakers", "general", title="Hello", body="Hi all")
    frozen_clock.advance(seconds=1)
    recipe = posts.create_post(ada, "bakers", "recipes", title="Bread", body="Flour, water")
    page = posts.feed(ada, "bakers", "recipes")
    assert (page.channel, feed_ids(page), [item.channel for item in page.posts]) == ("recipes", [recipe], ["recipes"])
    assert feed_ids(posts.feed(ada, "bakers", "general")) == [general]
    assert feed_ids(posts.feed(ada, "bakers")) == [recipe, general]
    with pytest.raises(LookupError):
        posts.feed(ada, "bakers", "nowhere")


def test_a_malformed_cursor_is_refused(bakers, ada):
    for cursor in ("abc", "1-1", "1768478400-5", "1768478400.000000-0", "1768478400.000000-x", 12, "1768478400.0-5"):
        with pytest.raises(LookupError):
            posts.feed(ada, "bakers", after=cursor)
    # One past the largest row id.
    with pytest.raises(LookupError):
        posts.feed(ada, "bakers", after="1768478400.000000-9223372036854775808")


def test_a_forged_cursor_far_in_the_future_is_refused(bakers, ada):
    with pytest.raises(LookupError):
        posts.feed(ada, "bakers", after="999999999999.000000-1")


def test_a_cursor_round_trips_a_posts_position(bakers, owner, ada, frozen_clock):
    frozen_clock.advance(microseconds=999_999)
    post_id = posts.create_post(ada, "bakers", "general", title="", body="Hi")
    moment, parsed_id = posts._parse_cursor(posts.cursor_of(post_row(post_id)))
    assert (moment, parsed_id) == (clock.now(), post_id)


# --- writing posts ----------------------------------------------------------------------------------------


def refused_post(account_id: int, body, *, slug: str = "bakers", title="") -> dict[str, str]:
    with pytest.raises(FormErrors) as refused:
        posts.create_post(account_id, slug, "general", title=title, body=body)
    return refused.value.errors


def test_a_post_needs_a_body_within_the_limits(bakers, ada):
    assert refused_post(ada, "") == {"body": "Write your post first."}
    assert list(refused_post(ada, "   \n ")) == ["body"]
    assert list(refused_post(ada, None)) == ["body"]
    assert list(refused_post(ada, "x" * 20_001)) == ["body"]
    assert list(refused_post(ada, " ".join(["https://example.com"] * 11))) == ["body"]
    assert list(refused_post(ada, "www.a.com http://b.com " * 6)) == ["body"]
    assert list(refused_post(ada, "Fine", title="x" * 201)) == ["title"]
    assert rows(Post) == [] and kinds(ada) == ["community_joined"]
    posts.create_post(ada, "bakers", "general", title="", body="x" * 20_000)
    posts.create_post(ada, "bakers", None, title="", body=" ".join(["https://example.com"] * 10))
    assert len(rows(Post)) == 2


def test_a_post_is_stored_as_written_and_on_the_timeline(bakers, ada):
    post_id = posts.create_post(ada, "bakers", "", title="  Sourdough  ", body="  My **starter**  ")
    stored = post_row(post_id)
    assert (stored.title, stored.body_markdown, stored.author_id, stored.edited_at) == (
        "Sourdough",
        "My **starter**",
        ada,
        None,
    )
    assert kinds(ada) == ["post_published", "community_joined"]


def test_an_admins_only_group_takes_posts_from_its_admins(owner, ada):
    make_group(owner, "news", posting="admins")
    groups.join(ada, "news")
    errors = refused_post(ada, "Can I post?", slug="news")
    assert errors == {"body": "Only the group's admins post here."}
    set_role(ada, "news", "moderator")
    assert list(refused_post(ada, "Now?", slug="news")) == ["body"]
    set_role(ada, "news", "admin")
    posts.create_post(ada, "news", "general", title="", body="Announcement")
    posts.create_post(owner, "news", "general", title="", body="Another")
    assert len(rows(Post)) == 2


def test_a_person_posts_at_most_five_times_a_minute(bakers, owner, ada, frozen_clock):
    make_group(owner, "other")
    groups.join(ada, "other")
    for n in range(posts.POSTS_PER_MINUTE):
        posts.create_post(ada, "bakers" if n % 2 else "other", "general", title="", body=f"Post {n}")
        frozen_clock.advance(seconds=5)
    errors = refused_post(ada, "One too many")
    assert "5 times a minute" in errors["body"]
    # Someone else is not held back by Ada's posts.
    posts.create_post(owner, "bakers", "general", title="", body="Mine")
    frozen_clock.advance(seconds=40)
    posts.create_post(ada, "bakers", "general", title="", body="A minute later")
    assert sum(1 for post in rows(Post) if post.author_id == ada) == posts.POSTS_PER_MINUTE + 1


def test_only_the_author_edits_a_post_and_it_is_marked_edited(bakers, owner, ada, bob, frozen_clock):
    groups.join(bob, "bakers")
    set_role(bob, "bakers", "moderator")
    post_id = posts.create_post(ada, "bakers", "general", title="Draft", body="Frist")
    for account_id in (owner, bob):
        with pytest.raises(LookupError):
            posts.edit_post(account_id, "bakers", post_id, title="Hacked", body="Changed by someone else")
    with pytest.raises(FormErrors):
        posts.edit_post(ada, "bakers", post_id, title="", body="  ")
    assert (post_row(post_id).body_markdown, post_row(post_id).edited_at) == ("Frist", None)
    frozen_clock.advance(minutes=3)
    posts.edit_post(ada, "bakers", post_id, title="Final", body="First")
    stored = post_row(post_id)
    assert (stored.title, stored.body_markdown, stored.edited_at) == ("Final", "First", clock.now())


def test_a_member_who_left_cannot_edit_their_post(bakers, ada):
    post_id = posts.create_post(ada, "bakers", "general", title="", body="Mine")
    groups.leave(ada, "bakers")
    with pytest.raises(LookupError):
        posts.edit_post(ada, "bakers", post_id, title="", body="Changed")
    assert post_row(post_id).body_markdown == "Mine"


def test_a_post_is_deleted_by_its_author_or_a_moderator_with_its_comments_and_likes(bakers, owner, ada, bob):
    groups.join(bob, "bakers")
    first = posts.create_post(ada, "bakers", "general", title="", body="One")
    second = posts.create_post(ada, "bakers", "general", title="", body="Two")
    posts.add_comment(bob, "bakers", first, body="Nice")
    posts.toggle_post_like(bob, "bakers", first)
    with pytest.raises(LookupError):
        posts.delete_post(bob, "bakers", first)
    assert post_row(first) is not None
    posts.delete_post(ada, "bakers", first)
    assert post_row(first) is None and rows(Comment) == [] and rows(PostLike) == []
    set_role(bob, "bakers", "moderator")
    posts.delete_post(bob, "bakers", second)
    assert rows(Post) == []
    with pytest.raises(LookupError):
        posts.delete_post(ada, "bakers", second)


# --- comments ---------------------------------------------------------------------------------------------


def test_comments_count_and_replies_stay_one_level_deep(bakers, owner, ada, bob, frozen_clock):
    groups.join(bob, "bakers")
    post_id = posts.create_post(owner, "bakers", "general", title="Question", body="Rye or wheat?")
    top = posts.add_comment(ada, "bakers", post_id, body="Rye")
    reply = posts.add_comment(bob, "bakers", post_id, body="Why rye?", parent_id=top)
    deeper = posts.add_comment(ada, "bakers", post_id, body="Flavour", parent_id=reply)
    parents = {comment.id: comment.parent_id for comment in rows(Comment)}
    assert parents == {top: None, reply: top, deeper: top}
    assert post_row(post_id).comment_count == 3
    assert kinds(ada) == ["comment_added", "comment_added", "community_joined"]
    assert kinds(owner) == ["post_published"]


def test_a_post_view_shows_replies_under_the_comment_they_answer(bakers, owner, ada, bob, frozen_clock):
    groups.join(bob, "bakers")
    post_id = posts.create_post(owner, "bakers", "general", title="Question", body="Rye or wheat?")
    top = posts.add_comment(ada, "bakers", post_id, body="Rye")
    frozen_clock.advance(seconds=1)
    other = posts.add_comment(bob, "bakers", post_id, body="Wheat")
    frozen_clock.advance(seconds=1)
    reply = posts.add_comment(bob, "bakers", post_id, body="Why rye?", parent_id=top)
    frozen_clock.advance(seconds=1)
    deeper = posts.add_comment(ada, "bakers", post_id, body="Flavour", parent_id=reply)
    view = posts.post_view(ada, "bakers", post_id)
    assert [(c.id, [r.id for r in c.replies]) for c in view.comments] == [(top, [reply, deeper]), (other, [])]
    assert view.post.comment_count == 4 and view.may_comment is True
    assert [c.mine for c in view.comments] == [True, False]
    assert view.comments[0].author == "Ada Lovelace"


def test_a_reply_must_answer_a_comment_on_the_same_post(bakers, owner, ada):
    first = posts.create_post(owner, "bakers", "general", title="", body="One")
    second = posts.create_post(owner, "bakers", "general", title="", body="Two")
    comment = posts.add_comment(ada, "bakers", first, body="On the first")
    for parent_id in (comment + 100, "1", True):
        with pytest.raises(LookupError):
            posts.add_comment(ada, "bakers", first, body="Reply", parent_id=parent_id)
    with pytest.raises(LookupError):
        posts.add_comment(ada, "bakers", second, body="Reply", parent_id=comment)
    assert len(rows(Comment)) == 1
    assert (post_row(first).comment_count, post_row(second).comment_count) == (1, 0)


def test_a_comment_needs_a_body_within_the_limits(bakers, owner, ada):
    post_id = posts.create_post(owner, "bakers", "general", title="", body="One")
    for body in ("", "  ", None, "x" * 5_001, "https://a.com " * 11):
        with pytest.raises(FormErrors) as refused:
            posts.add_comment(ada, "bakers", post_id, body=body)
        assert list(refused.value.errors) == ["body"]
    assert rows(Comment) == [] and post_row(post_id).comment_count == 0
    posts.add_comment(ada, "bakers", post_id, body="x" * 5_000)
    assert post_row(post_id).comment_count == 1


def test_no_comments_once_they_are_closed(bakers, owner, ada):
    post_id = posts.create_post(owner, "bakers", "general", title="", body="Final word")
    set_post(post_id, comments_closed=True)
    with pytest.raises(FormErrors) as refused:
        posts.add_comment(ada, "bakers", post_id, body="But")
    assert refused.value.errors == {"body": "Comments are closed on this post."}
    assert rows(Comment) == [] and post_row(post_id).comment_count == 0


def test_a_person_comments_at_most_ten_times_a_minute(bakers, owner, ada, frozen_clock):
    post_id = posts.create_post(owner, "bakers", "general", title="", body="Talk")
    for n in range(posts.COMMENTS_PER_MINUTE):
        posts.add_comment(ada, "bakers", post_id, body=f"Comment {n}")
    with pytest.raises(FormErrors) as refused:
        posts.add_comment(ada, "bakers", post_id, body="One too many")
    assert "10 times a minute" in refused.value.errors["body"]
    posts.add_comment(owner, "bakers", post_id, body="I still can")
    frozen_clock.advance(minutes=1)
    posts.add_comment(ada, "bakers", post_id, body="Later")
    assert len(rows(Comment)) == post_row(post_id).comment_count == posts.COMMENTS_PER_MINUTE + 2


# --- likes ------------------------------------------------------------------------------------------------


def test_liking_twice_takes_the_like_back_and_counts_stay_right(bakers, owner, ada, bob):
    groups.join(bob, "bakers")
    post_id = posts.create_post(owner, "bakers", "general", title="", body="Like me")
    assert posts.toggle_post_like(ada, "bakers", post_id) == (True, 1)
    assert posts.toggle_post_like(bob, "bakers", post_id) == (True, 2)
    assert posts.toggle_post_like(ada, "bakers", post_id) == (False, 1)
    assert [like.account_id for like in rows(PostLike)] == [bob]
    assert posts.toggle_post_like(ada, "bakers", post_id) == (True, 2)
    assert post_row(post_id).like_count == len(rows(PostLike)) == 2


def test_the_feed_says_which_posts_the_person_liked(bakers, owner, ada):
    post_id = posts.create_post(owner, "bakers", "general", title="", body="Like me")
    posts.toggle_post_like(ada, "bakers", post_id)
    [mine] = posts.feed(ada, "bakers").posts
    [theirs] = posts.feed(owner, "bakers").posts
    assert (mine.liked, mine.like_count, mine.mine) == (True, 1, False)
    assert (theirs.liked, theirs.like_count, theirs.mine) == (False, 1, True)


# --- safe text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_posts_and_comments_are_shown_inert(bakers, owner, ada, payload):
    post_id = posts.create_post(ada, "bakers", "general", title="", body=payload)
    comment = posts.add_comment(ada, "bakers", post_id, body=payload)
    posts.add_comment(owner, "bakers", post_id, body=payload, parent_id=comment)
    assert post_row(post_id).body_markdown == payload.strip()
    [item] = posts.feed(owner, "bakers").posts
    assert_inert(item.body_html)
    view = posts.post_view(owner, "bakers", post_id)
    assert_inert(view.post.body_html)
    [top] = view.comments
    assert_inert(top.body_html)
    assert_inert(top.replies[0].body_html)


# --- races ------------------------------------------------------------------------------------------------


def run_together(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # sorted out by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_six_posts_at_once_store_at_most_the_per_minute_limit(shared_database):
    owner = add_account("grace@example.com", "Grace Hopper")
    ada = add_account()
    make_group(owner)
    groups.join(ada, "bakers")
    results = run_together(
        [lambda n=n: posts.create_post(ada, "bakers", "general", title="", body=f"Post {n}") for n in range(6)]
    )
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, FormErrors)]
    assert not unexpected, results
    stored = [post for post in rows(Post) if post.author_id == ada]
    assert len(stored) <= posts.POSTS_PER_MINUTE
    assert len(stored) == sum(1 for r in results if isinstance(r, int))
    assert kinds(ada).count("post_published") == len(stored)


def test_two_likes_at_once_keep_the_count_equal_to_the_likes(shared_database):
    owner = add_account("grace@example.com", "Grace Hopper")
    ada = add_account()
    make_group(owner)
    groups.join(ada, "bakers")
    post_id = posts.create_post(owner, "bakers", "general", title="", body="Like me")
    for _ in range(3):
        results = run_together([lambda: posts.toggle_post_like(ada, "bakers", post_id)] * 2)
        assert not [r for r in results if isinstance(r, BaseException)], results
        stored = post_row(post_id)
        assert stored.like_count == len([like for like in rows(PostLike) if like.post_id == post_id])
        assert stored.like_count in (0, 1)
