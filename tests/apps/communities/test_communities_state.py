"""Communities' pages and handlers through the real Reflex event pipeline: My groups and joining, a group's
feed (sanitised, pinned first, older pages, seen), refusals for private groups and revoked apps, bad payloads."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups, posts
from portal_app.apps.communities.models import Channel, Comment, CommunityGroup, GroupMember, Post, PostLike
from portal_app.apps.communities.ui.communities_state import CommunitiesState
from portal_app.apps.grants import revoke_app
from portal_app.kernel import clock, db
from portal_app.shell.ui.app_guard import DENIED, OPEN, AppAccessState
from tests.apps.courses.support import XSS_PAYLOADS, assert_inert
from tests.apps.courses.test_courses_state import cookie_for
from tests.apps.support import add_account, grant, set_business
from tests.support.hostile_input import assert_nothing_crashed

OWNER = Actor("owner@example.com")
ROUTE = "/apps/communities"
SECRET_BODY = "The secret recipe is cardamom"


# --- helpers ----------------------------------------------------------------------------------------------


def make_group(slug: str, *, owner: int, visibility: str = "public") -> str:
    return groups.create_group(
        OWNER, name=f"{slug.title()} group", slug=slug, visibility=visibility, owner_account_id=owner
    )


def group_id(slug: str) -> int:
    with db.read_session() as session:
        return session.exec(select(CommunityGroup.id).where(CommunityGroup.slug == slug)).one()


def add_post(slug: str, author_id: int, *, title: str = "", body: str | None = None, at=None, **flags) -> int:
    """A post written straight to the table (no per-minute limit), at a chosen moment."""
    with db.write_session() as session:
        gid = group_id(slug)
        channel_id = session.exec(select(Channel.id).where(Channel.group_id == gid, Channel.slug == "general")).one()
        post = Post(
            group_id=gid,
            channel_id=channel_id,
            author_id=author_id,
            title=title,
            body_markdown=body if body is not None else f"Body of {title}",
            created_at=at or clock.now(),
            **flags,
        )
        session.add(post)
        session.flush()
        return post.id


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model)))


def stored() -> dict[str, int]:
    """How many posts, comments, likes and memberships there are."""
    return {model.__name__: len(rows(model)) for model in (Post, Comment, PostLike, GroupMember)}


def post_in_db(post_id: int) -> Post:
    with db.read_session() as session:
        return session.get(Post, post_id)


async def shown(client) -> str:
    """Everything the tab's state holds, as one string."""
    return str((await client.root_state()).dict())


@pytest.fixture
def grace(pipeline, frozen_clock) -> int:
    set_business(enabled_apps=["communities"])
    account = add_account("grace@example.com", "Grace Hopper")
    grant(account, "communities")
    return account


@pytest.fixture
def ada(grace) -> int:
    account = add_account()
    grant(account, "communities")
    return account


@pytest.fixture
def bakers(grace, ada) -> str:
    """A public group Grace owns and Ada has joined."""
    make_group("bakers", owner=grace)
    assert groups.join(ada, "bakers") == "active"
    return "bakers"


@pytest.fixture
def secret(grace) -> int:
    """A private group Grace owns with one post and one comment; the post's id."""
    make_group("secret", owner=grace, visibility="private")
    post_id = add_post("secret", grace, title="Hidden title", body=SECRET_BODY)
    posts.add_comment(grace, "secret", post_id, body="A secret comment")
    return post_id


# --- 1. My groups and joining ----------------------------------------------------------------------------


async def test_my_groups_lists_joined_groups_with_new_posts_and_groups_to_join(
    pipeline, caplog, profiles, grace, ada, bakers, secret, frozen_clock
):
    make_group("walkers", owner=grace)
    make_group("hidden", owner=grace, visibility="private")
    assert groups.join(ada, "secret") == "pending"
    frozen_clock.advance(minutes=5)
    add_post("bakers", grace, title="One")
    add_post("bakers", grace, title="Two")
    add_post("bakers", ada, title="Mine is not new to me")
    frozen_clock.advance(minutes=5)

    client = await pipeline.connect(ROUTE, cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.status, state.groups_loaded) == (OPEN, True)
    assert [(g.slug, g.private, g.pending, g.new_posts, g.href) for g in state.my_groups] == [
        ("bakers", False, False, 2, "/apps/communities/bakers"),
        ("secret", True, True, 0, "/apps/communities/secret"),
    ]
    assert [(g.slug, g.private, g.pending) for g in state.other_groups] == [
        ("walkers", False, False),
        ("hidden", True, False),
    ]
    assert SECRET_BODY not in await shown(client)


async def test_join_group_joins_a_public_group_and_asks_to_join_a_private_one(pipeline, caplog, profiles, grace, ada):
    make_group("walkers", owner=grace)
    make_group("hidden", owner=grace, visibility="private")
    client = await pipeline.connect(ROUTE, cookie=cookie_for(ada))

    await client.send(CommunitiesState.join_group, {"slug": "walkers"})
    state = await client.state(CommunitiesState)
    assert state.join_notice == "You joined the group."
    assert [(g.slug, g.pending) for g in state.my_groups] == [("walkers", False)]
    assert [g.slug for g in state.other_groups] == ["hidden"]

    await client.send(CommunitiesState.join_group, {"slug": "hidden"})
    state = await client.state(CommunitiesState)
    assert state.join_notice == "You asked to join. The group's moderators will let you in."
    assert [(g.slug, g.pending) for g in state.my_groups] == [("walkers", False), ("hidden", True)]
    assert state.other_groups == []
    assert_nothing_crashed(pipeline, caplog)
    with db.read_session() as session:
        statuses = {
            slug: status
            for slug, status in session.exec(
                select(CommunityGroup.slug, GroupMember.status)
                .join(GroupMember, GroupMember.group_id == CommunityGroup.id)
                .where(GroupMember.account_id == ada)
            )
        }
    assert statuses == {"walkers": "active", "hidden": "pending"}


@pytest.mark.parametrize(
    "slug",
    [
        "made-up",
        None,
        {"$ne": ""},
        "x" * 10_240,
        ["walkers"],
        "../walkers",
        "Walkers",
    ],
    ids=["made-up", "none", "dict", "10kb-string", "list", "traversal", "upper-case"],
)
async def test_join_group_with_a_slug_that_is_not_open_changes_nothing(pipeline, caplog, profiles, grace, ada, slug):
    make_group("walkers", owner=grace)
    before = stored()
    client = await pipeline.connect(ROUTE, cookie=cookie_for(ada))
    await client.send(CommunitiesState.join_group, {"slug": slug})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.join_notice == "That group is not open to join."
    assert state.my_groups == [] and [g.slug for g in state.other_groups] == ["walkers"]
    assert stored() == before


async def test_a_banned_member_cannot_join_again(pipeline, caplog, profiles, grace, ada, bakers):
    groups.set_member_status(grace, "bakers", ada, "banned")
    client = await pipeline.connect(ROUTE, cookie=cookie_for(ada))
    state = await client.state(CommunitiesState)
    assert (state.my_groups, state.other_groups) == ([], [])
    await client.send(CommunitiesState.join_group, {"slug": "bakers"})
    state = await client.state(CommunitiesState)
    assert state.join_notice == "You cannot join that group."
    assert [m.status for m in rows(GroupMember) if m.account_id == ada] == ["banned"]
    assert_nothing_crashed(pipeline, caplog)


# --- 2. a group's feed --------------------------------------------------------------------------------------


async def test_the_group_page_shows_sanitised_posts_pinned_first(pipeline, caplog, profiles, grace, ada, bakers):
    add_post("bakers", grace, title="Pinned rules", at=clock.now() - timedelta(hours=2), pinned=True)
    add_post("bakers", grace, title="Payloads", body="\n\n".join(XSS_PAYLOADS.values()))
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.status, state.group_slug, state.group_name, state.group_missing, state.may_post) == (
        OPEN,
        "bakers",
        "Bakers group",
        False,
        True,
    )
    assert [(p.title, p.pinned) for p in state.pinned] == [("Pinned rules", True)]
    [post] = state.feed
    assert (post.title, post.author, post.href) == (
        "Payloads",
        "Grace Hopper",
        f"/apps/communities/bakers/post/{post.id}",
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in post.body_html
    assert_inert(post.body_html)


async def test_opening_a_feed_reads_it_once_and_it_still_follows_new_posts(
    pipeline, caplog, profiles, grace, ada, bakers, monkeypatch
):
    """The live follower skips its catch-up reload when nothing was posted since the page read the feed (it
    repeated the page's own load for every tab), and the group's live topic the load read (it read it again),
    and still reloads for what is posted afterwards."""
    reads, topics = [], []
    real_feed, real_topic = posts.feed, groups.live_topic

    def counted_feed(*args, **kwargs):
        reads.append(args[1])
        return real_feed(*args, **kwargs)

    def counted_topic(group_id):
        topics.append(group_id)
        return real_topic(group_id)

    monkeypatch.setattr(posts, "feed", counted_feed)
    monkeypatch.setattr(groups, "live_topic", counted_topic)
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await asyncio.sleep(0.5)  # the follower has subscribed and compared versions by now
    assert reads == ["bakers"]
    assert len(topics) == 1, "the follower used the topic the page's load read"
    await asyncio.to_thread(posts.create_post, grace, "bakers", "general", title="Fresh bread", body="Out of the oven")
    for _ in range(100):
        if [p.title for p in (await client.state(CommunitiesState)).feed] == ["Fresh bread"]:
            break
        await asyncio.sleep(0.05)
    assert [p.title for p in (await client.state(CommunitiesState)).feed] == ["Fresh bread"]
    assert reads == ["bakers", "bakers"]
    assert_nothing_crashed(pipeline, caplog)


async def test_show_older_posts_appends_the_next_page(pipeline, caplog, profiles, grace, ada, bakers):
    start = clock.now() - timedelta(days=1)
    ids = [add_post("bakers", grace, title=f"Post {n}", at=start + timedelta(minutes=n)) for n in range(25)]
    pinned = add_post("bakers", grace, title="Pinned", at=start - timedelta(minutes=1), pinned=True)
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    state = await client.state(CommunitiesState)
    newest_first = list(reversed(ids))
    assert [p.id for p in state.pinned] == [pinned]
    assert [p.id for p in state.feed] == newest_first[: posts.PAGE_SIZE]
    assert state.older_page != ""

    await client.send(CommunitiesState.more_posts, {})
    state = await client.state(CommunitiesState)
    assert [p.id for p in state.feed] == newest_first
    assert [p.id for p in state.pinned] == [pinned]
    assert state.older_page == ""

    # Nothing more to show: the feed stays as it is.
    await client.send(CommunitiesState.more_posts, {})
    assert [p.id for p in (await client.state(CommunitiesState)).feed] == newest_first
    assert_nothing_crashed(pipeline, caplog)


async def test_opening_the_group_marks_it_seen(pipeline, caplog, profiles, grace, ada, bakers, frozen_clock):
    frozen_clock.advance(minutes=1)
    add_post("bakers", grace, title="New one")
    add_post("bakers", grace, title="New two")
    frozen_clock.advance(minutes=1)
    cookie = cookie_for(ada)
    before = await pipeline.connect(ROUTE, cookie=cookie)
    assert [g.new_posts for g in (await before.state(CommunitiesState)).my_groups] == [2]

    await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie)
    after = await pipeline.connect(ROUTE, cookie=cookie)
    assert [g.new_posts for g in (await after.state(CommunitiesState)).my_groups] == [0]
    assert_nothing_crashed(pipeline, caplog)


# --- 3. a private group is refused to whoever is not its active member --------------------------------------


@pytest.fixture(params=["stranger", "pending", "banned"])
def outsider(request, grace, ada, secret) -> int:
    """Ada as someone who may not read the private group: no membership, a pending one, or banned."""
    if request.param in ("pending", "banned"):
        assert groups.join(ada, "secret") == "pending"
    if request.param == "banned":
        groups.set_member_status(grace, "secret", ada, "banned")
    return ada


async def assert_holds_nothing_secret(client) -> None:
    text = await shown(client)
    for secret_text in (SECRET_BODY, "Hidden title", "A secret comment", "Secret group"):
        assert secret_text not in text, secret_text


async def test_a_private_groups_pages_show_nothing_to_an_outsider(pipeline, caplog, profiles, outsider, secret):
    cookie = cookie_for(outsider)
    client = await pipeline.connect(f"{ROUTE}/secret", cookie=cookie)
    state = await client.state(CommunitiesState)
    assert (state.status, state.group_missing, state.group_name, state.feed, state.pinned, state.may_post) == (
        OPEN,
        True,
        "",
        [],
        [],
        False,
    )
    await assert_holds_nothing_secret(client)

    client = await pipeline.connect(f"{ROUTE}/secret/post/{secret}", cookie=cookie)
    state = await client.state(CommunitiesState)
    assert (state.post_missing, state.post.id, state.post.body_html, state.comments, state.may_comment) == (
        True,
        0,
        "",
        [],
        False,
    )
    await assert_holds_nothing_secret(client)
    assert_nothing_crashed(pipeline, caplog)


async def test_a_private_groups_handlers_write_nothing_for_an_outsider(pipeline, caplog, profiles, outsider, secret):
    cookie = cookie_for(outsider)
    before = stored()
    feed = await pipeline.connect(f"{ROUTE}/secret", cookie=cookie)
    await feed.send(CommunitiesState.publish, {"form_data": {"title": "Sneaky", "body": "Let me in"}})
    await feed.send(CommunitiesState.like, {"post_id": secret})
    await feed.send(CommunitiesState.more_posts, {})
    state = await feed.state(CommunitiesState)
    assert (state.group_missing, state.feed, state.pinned) == (True, [], [])
    await assert_holds_nothing_secret(feed)

    page = await pipeline.connect(f"{ROUTE}/secret/post/{secret}", cookie=cookie)
    await page.send(CommunitiesState.like, {"post_id": secret})
    await page.send(CommunitiesState.comment, {"form_data": {"body": "Let me in"}})
    state = await page.state(CommunitiesState)
    assert (state.post_missing, state.post.id, state.comments) == (True, 0, [])
    await assert_holds_nothing_secret(page)

    assert stored() == before
    assert post_in_db(secret).like_count == 0 and post_in_db(secret).comment_count == 1
    assert_nothing_crashed(pipeline, caplog)


async def test_handlers_sent_for_a_private_groups_path_from_a_public_groups_tab_are_refused(
    pipeline, caplog, profiles, grace, outsider, secret
):
    make_group("walkers", owner=grace)
    public_post = add_post("walkers", grace, title="Public")
    cookie = cookie_for(outsider)
    before = stored()
    client = await pipeline.connect(f"{ROUTE}/walkers", cookie=cookie)
    assert [p.id for p in (await client.state(CommunitiesState)).feed] == [public_post]

    private_feed = f"{ROUTE}/secret"
    private_post = f"{ROUTE}/secret/post/{secret}"
    await client.send(CommunitiesState.publish, {"form_data": {"body": "Let me in"}}, path=private_feed)
    state = await client.state(CommunitiesState)
    assert (state.group_missing, state.feed, state.pinned, state.group_slug) == (True, [], [], "")

    await client.send(CommunitiesState.like, {"post_id": secret}, path=private_feed)
    await client.send(CommunitiesState.like, {"post_id": secret}, path=private_post)
    await client.send(CommunitiesState.comment, {"form_data": {"body": "Let me in"}}, path=private_post)
    await client.send(CommunitiesState.more_posts, {}, path=private_feed)
    state = await client.state(CommunitiesState)
    assert (state.post_missing, state.post.id, state.comments, state.feed) == (True, 0, [], [])
    await assert_holds_nothing_secret(client)
    assert stored() == before
    assert post_in_db(secret).like_count == 0
    assert_nothing_crashed(pipeline, caplog)


# --- 4. publishing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form_data", "field", "message"),
    [
        ({"title": "", "body": ""}, "body", "Write your post first."),
        ({"title": "Blank", "body": "   \n  "}, "body", "Write your post first."),
        ({"body": "x" * 20_001}, "body", "Keep the post to 20,000 characters or fewer."),
        ({"body": " ".join(f"https://example.com/{n}" for n in range(11))}, "body", "A post may hold up to 10 links."),
        ({"title": "T" * 201, "body": "Fine"}, "title", "Keep the title to 200 characters or fewer."),
        ("title=x&body=y", "body", "Write your post first."),
        (None, "body", "Write your post first."),
        (["title", "body"], "body", "Write your post first."),
        (42, "body", "Write your post first."),
        ({"form_data": {"title": "x", "body": "y"}}, "body", "Write your post first."),
        ({"title": "x", "body": {"$ne": ""}}, "body", "Write your post first."),
        ({"title": {"a": {"b": 1}}, "body": {"nested": {"deeper": "y"}}}, "body", "Write your post first."),
        ({"title": "x", "body": ["y"]}, "body", "Write your post first."),
    ],
    ids=[
        "empty",
        "whitespace",
        "20001-chars",
        "11-links",
        "long-title",
        "query-string",
        "none",
        "list",
        "int",
        "nested-form",
        "body-dict",
        "nested-dicts",
        "body-list",
    ],
)
async def test_publish_with_bad_input_shows_errors_and_stores_nothing(
    pipeline, caplog, profiles, ada, bakers, form_data, field, message
):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(CommunitiesState.publish, {"form_data": form_data})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.post_errors[field] == message
    assert (state.notice, state.feed, state.composer_version) == ("", [], 0)
    assert rows(Post) == []


@pytest.mark.parametrize("title", [{"$ne": ""}, ["a title"], 7], ids=["dict", "list", "int"])
async def test_publish_with_a_title_that_is_not_text_says_why(pipeline, caplog, profiles, ada, bakers, title):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(CommunitiesState.publish, {"form_data": {"title": title, "body": "A good body."}})
    assert_nothing_crashed(pipeline, caplog)
    assert rows(Post) == []
    state = await client.state(CommunitiesState)
    assert any(state.post_errors.values()), f"post refused without a message: {state.post_errors}"


async def test_a_good_post_appears_in_the_feed(pipeline, caplog, profiles, ada, bakers):
    add_post("bakers", ada, title="Older", at=clock.now() - timedelta(hours=1))
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(CommunitiesState.publish, {"form_data": {"title": "  Sourdough  ", "body": "Feed it **daily**."}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.notice, state.composer_version, state.post_errors) == ("Posted.", 1, {"title": "", "body": ""})
    assert [(p.title, p.author) for p in state.feed] == [("Sourdough", "Ada Lovelace"), ("Older", "Ada Lovelace")]
    assert state.feed[0].body_html == "<p>Feed it <strong>daily</strong>.</p>\n"
    [stored_post] = [p for p in rows(Post) if p.title == "Sourdough"]
    assert (stored_post.author_id, stored_post.group_id) == (ada, group_id("bakers"))


async def test_a_non_member_of_a_public_group_reads_but_may_not_post(pipeline, caplog, profiles, grace, ada):
    make_group("walkers", owner=grace)
    add_post("walkers", grace, title="Hello")
    client = await pipeline.connect(f"{ROUTE}/walkers", cookie=cookie_for(ada))
    state = await client.state(CommunitiesState)
    assert ([p.title for p in state.feed], state.may_post) == (["Hello"], False)
    await client.send(CommunitiesState.publish, {"form_data": {"body": "Hi all"}})
    state = await client.state(CommunitiesState)
    assert state.post_errors["body"] == "Join the group to post."
    assert len(rows(Post)) == 1
    assert_nothing_crashed(pipeline, caplog)


async def test_handlers_are_refused_after_the_app_is_revoked(pipeline, caplog, profiles, grace, ada, bakers):
    post_id = add_post("bakers", grace, title="Hello")
    cookie = cookie_for(ada)
    feed = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie)
    page = await pipeline.connect(f"{ROUTE}/bakers/post/{post_id}", cookie=cookie)
    assert (await page.state(CommunitiesState)).post.title == "Hello"
    with db.write_session() as session:
        revoke_app(session, account_id=ada, app_key="communities")
    before = stored()

    await feed.send(CommunitiesState.publish, {"form_data": {"body": "Still here?"}})
    await feed.send(CommunitiesState.like, {"post_id": post_id})
    await feed.send(CommunitiesState.more_posts, {})
    await page.send(CommunitiesState.comment, {"form_data": {"body": "Still here?"}})
    await page.send(CommunitiesState.like, {"post_id": post_id})
    for client in (feed, page):
        assert (await client.state(AppAccessState)).status == DENIED
        state = await client.state(CommunitiesState)
        assert (state.feed, state.pinned, state.post.title, state.comments, state.group_name) == ([], [], "", [], "")
        assert "Hello" not in await shown(client)
    assert stored() == before
    assert post_in_db(post_id).like_count == 0
    assert_nothing_crashed(pipeline, caplog)


async def test_an_anonymous_tab_is_sent_to_login(pipeline, caplog, profiles, grace, bakers):
    post_id = add_post("bakers", grace, title="Hello")
    before = stored()
    feed = await pipeline.connect(f"{ROUTE}/bakers")
    await feed.send(CommunitiesState.publish, {"form_data": {"body": "Anonymous"}})
    assert feed.redirects()[-1] == "/login?next=/apps/communities/bakers"
    await feed.send(CommunitiesState.like, {"post_id": post_id})
    assert feed.redirects()[-1] == "/login?next=/apps/communities/bakers"
    await feed.send(CommunitiesState.join_group, {"slug": "bakers"})
    assert feed.redirects()[-1] == "/login?next=/apps/communities/bakers"

    page = await pipeline.connect(f"{ROUTE}/bakers/post/{post_id}")
    await page.send(CommunitiesState.comment, {"form_data": {"body": "Anonymous"}})
    assert page.redirects()[-1] == f"/login?next=/apps/communities/bakers/post/{post_id}"
    state = await page.state(CommunitiesState)
    assert (state.post.title, state.feed) == ("", [])
    assert stored() == before
    assert_nothing_crashed(pipeline, caplog)


# --- 5. likes and comments ----------------------------------------------------------------------------------


async def test_like_toggles_on_the_feed_and_on_the_post_page(pipeline, caplog, profiles, grace, ada, bakers):
    post_id = add_post("bakers", grace, title="Hello")
    cookie = cookie_for(ada)
    feed = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie)
    await feed.send(CommunitiesState.like, {"post_id": post_id})
    [row] = (await feed.state(CommunitiesState)).feed
    assert (row.likes, row.liked) == (1, True)

    page = await pipeline.connect(f"{ROUTE}/bakers/post/{post_id}", cookie=cookie)
    await page.send(CommunitiesState.like, {"post_id": post_id})
    post = (await page.state(CommunitiesState)).post
    assert (post.likes, post.liked) == (0, False)
    assert rows(PostLike) == []
    assert_nothing_crashed(pipeline, caplog)


@pytest.mark.parametrize(
    "post_id",
    ["other-group", 10**30, 2**63, "abc", None, -1, 0, True, 1.5, {"id": 1}, [1]],
    ids=["other-group", "10e30", "2e63", "string", "none", "negative", "zero", "bool", "float", "dict", "list"],
)
async def test_like_with_a_bad_post_id_changes_nothing(pipeline, caplog, profiles, grace, ada, bakers, post_id):
    mine = add_post("bakers", grace, title="Hello")
    make_group("walkers", owner=grace)
    groups.join(ada, "walkers")
    other = add_post("walkers", grace, title="Elsewhere")
    if post_id == "other-group":
        post_id = other
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(CommunitiesState.like, {"post_id": post_id})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.notice == "That post is not there any more."
    assert [(p.id, p.likes, p.liked) for p in state.feed] == [(mine, 0, False)]
    assert rows(PostLike) == []
    assert (post_in_db(mine).like_count, post_in_db(other).like_count) == (0, 0)


async def test_comments_and_replies_show_under_their_comment(pipeline, caplog, profiles, grace, ada, bakers):
    post_id = add_post("bakers", grace, title="Hello")
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{post_id}", cookie=cookie_for(ada))
    assert (await client.state(CommunitiesState)).may_comment is True
    await client.send(CommunitiesState.comment, {"form_data": {"body": "First <script>alert(1)</script>"}})
    [top] = (await client.state(CommunitiesState)).comments
    await client.send(CommunitiesState.comment, {"form_data": {"body": "A reply", "parent_id": str(top.id)}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.comment_error, state.composer_version, state.post.comments) == ("", 2, 2)
    [top] = state.comments
    assert top.author == "Ada Lovelace" and "<script" not in top.body_html
    assert_inert(top.body_html)
    assert [(reply.author, reply.body_html) for reply in top.replies] == [("Ada Lovelace", "<p>A reply</p>\n")]


@pytest.mark.parametrize(
    "form_data",
    [{"body": ""}, {"body": "x" * 5_001}, {"body": {"$ne": ""}}, None, "body=hello"],
    ids=["empty", "too-long", "dict", "none", "string"],
)
async def test_a_bad_comment_gets_a_message_and_stores_nothing(
    pipeline, caplog, profiles, grace, ada, bakers, form_data
):
    post_id = add_post("bakers", grace, title="Hello")
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{post_id}", cookie=cookie_for(ada))
    await client.send(CommunitiesState.comment, {"form_data": form_data})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.comment_error in ("Write your comment first.", "Keep the comment to 5,000 characters or fewer.")
    assert (state.comments, state.post.title) == ([], "Hello")
    assert rows(Comment) == []


async def test_a_reply_to_another_posts_comment_is_refused(pipeline, caplog, profiles, grace, ada, bakers, secret):
    post_id = add_post("bakers", grace, title="Hello")
    other_post = add_post("bakers", grace, title="Other")
    foreign = posts.add_comment(grace, "bakers", other_post, body="On the other post")
    [private_comment] = [c.id for c in rows(Comment) if c.post_id == secret]
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{post_id}", cookie=cookie_for(ada))
    before = stored()
    for parent in (str(foreign), str(private_comment), "0", "9" * 19):
        await client.send(CommunitiesState.comment, {"form_data": {"body": "A reply", "parent_id": parent}})
        state = await client.state(CommunitiesState)
        assert state.comment_error, parent
        assert (state.comments, state.post.title, state.post_missing) == ([], "Hello", False)
    assert stored() == before
    assert_nothing_crashed(pipeline, caplog)


@pytest.mark.parametrize("parent", ["abc", "-1", "1e3", " 5", "5; DROP TABLE comment", "9" * 30])
async def test_a_reply_with_a_parent_id_that_is_not_a_number_is_refused(
    pipeline, caplog, profiles, grace, ada, bakers, parent
):
    post_id = add_post("bakers", grace, title="Hello")
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{post_id}", cookie=cookie_for(ada))
    await client.send(CommunitiesState.comment, {"form_data": {"body": "A reply", "parent_id": parent}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert rows(Comment) == [], "a reply with a bad parent id was stored as a top-level comment"
    assert state.comment_error
