"""Communities' member features through the real Reflex event pipeline: channels (their pages, posting in
one), the composer's image (added, refused, removed, posted, served only to readers), editing my posts and
comments in place, replies and likes on comments, reply emails, and a live refresh that keeps what the
page shows.

Every handler is also fed what a hostile client could send: other people's ids, another group's ids in
hidden fields, ids that are no ids, fake uploads over the socket. Each is refused with a message, stores
nothing and leaves no file on disk.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import pytest
from reflex_base.event import Event
from reflex_components_core.core._upload import UploadFile
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.apps import files
from portal_app.apps.communities import groups, images, moderation, posts
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.communities.models import Channel, Comment, CommentLike, Post
from portal_app.apps.communities.ui.communities_state import CommunitiesState
from portal_app.apps.http import child_app_routes
from portal_app.email.models import OutboxEmail
from portal_app.kernel import clock, db
from tests.apps.communities import test_communities_state as feed_tests
from tests.apps.communities.test_communities_state import (
    ROUTE,
    SECRET_BODY,
    add_post,
    cookie_for,
    group_id,
    make_group,
    post_in_db,
    rows,
    shown,
    stored,
)
from tests.apps.courses.support import XSS_PAYLOADS, assert_inert
from tests.apps.support import add_account, grant
from tests.support.hostile_input import ONE_MB, assert_nothing_crashed, check_each
from tests.support.pipeline import event_name

# A real (tiny) PNG: signature, IHDR, IDAT of one grey pixel, IEND.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c63680000000082008177cd72b6000000"
    "0049454e44ae426082"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
ONE_IMAGE = "Choose one PNG, JPEG, GIF or WebP image (up to 5 MB), then add it."
NOT_AN_IMAGE = "That kind of file is not taken here. Choose a GIF, JPG, PNG, WEBP file."
NOT_YOURS = "That post is not yours to edit, or it is gone."
COMMENT_NOT_YOURS = "That comment is not yours to edit, or it is gone."
COMMENT_GONE = "That comment is not there any more."


# The feed tests' fixtures, shared (pytest finds a fixture by module attribute): Grace owns the public group
# "bakers" that Ada has joined, and the private group "secret" (a post and a comment, Ada not in it).
grace, ada, bakers, secret = feed_tests.grace, feed_tests.ada, feed_tests.bakers, feed_tests.secret


# --- helpers ----------------------------------------------------------------------------------------------


def add_channel(group_slug: str, slug: str, name: str, position: int) -> None:
    """A channel made the way the admin side makes one: a row of the group's channels."""
    with db.write_session() as session:
        session.add(Channel(group_id=group_id(group_slug), slug=slug, name=name, position=position))


def channel_of(post_id: int) -> str:
    with db.read_session() as session:
        return session.exec(
            select(Channel.slug).join(Post, Post.channel_id == Channel.id).where(Post.id == post_id)
        ).one()


def post_in(group_slug: str, channel: str, author_id: int, *, title: str, at=None) -> int:
    """A post in one channel, written straight to the table (no per-minute limit)."""
    with db.write_session() as session:
        gid = group_id(group_slug)
        channel_id = session.exec(select(Channel.id).where(Channel.group_id == gid, Channel.slug == channel)).one()
        post = Post(
            group_id=gid,
            channel_id=channel_id,
            author_id=author_id,
            title=title,
            body_markdown=f"Body of {title}",
            created_at=at or clock.now(),
        )
        session.add(post)
        session.flush()
        return post.id


def comment_in_db(comment_id: int) -> Comment:
    with db.read_session() as session:
        return session.get(Comment, comment_id)


def files_on_disk() -> list[str]:
    folder = files.app_folder(APP_KEY)
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def thread_emails(to: str) -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(
            session.exec(
                select(OutboxEmail)
                .where(OutboxEmail.template == "communities:thread_activity", OutboxEmail.to_email == to)
                .order_by(OutboxEmail.id)
            )
        )


async def upload(pipeline, client, named_files: list[tuple[str, bytes]], handler=CommunitiesState.attach_image):
    """Upload files as Reflex's upload endpoint does once it has parsed the multipart body: one event for
    the handler, carrying rx.UploadFile objects, for this tab (its router data is the tab's own)."""
    chosen = [UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data)) for name, data in named_files]
    event = Event(name=event_name(handler), payload={"files": chosen})
    async for _delta in pipeline.processor.enqueue_stream_delta(client.token, event):
        pass
    await pipeline.settle()


@pytest.fixture
def cat(grace, bakers) -> int:
    """A third member of the bakers, with the app."""
    account = add_account("cat@example.com", "Cat Reader")
    grant(account, "communities")
    assert groups.join(account, "bakers") == "active"
    return account


@pytest.fixture
def walkers(grace, ada) -> str:
    """Another public group Ada belongs to, with a channel of its own ("news")."""
    make_group("walkers", owner=grace)
    add_channel("walkers", "news", "News", 1)
    assert groups.join(ada, "walkers") == "active"
    return "walkers"


@pytest.fixture
def channels(bakers) -> str:
    """The bakers with three channels: General, Recipes, Events."""
    add_channel("bakers", "recipes", "Recipes", 1)
    add_channel("bakers", "events", "Events", 2)
    return "bakers"


# --- 1. channels -------------------------------------------------------------------------------------------


async def test_a_channel_page_shows_only_that_channels_posts(pipeline, caplog, profiles, grace, ada, channels):
    start = clock.now() - timedelta(hours=1)
    general = post_in("bakers", "general", grace, title="Welcome", at=start)
    rye = post_in("bakers", "recipes", grace, title="Rye", at=start + timedelta(minutes=1))
    sale = post_in("bakers", "events", grace, title="Bake sale", at=start + timedelta(minutes=2))
    pinned_recipe = post_in("bakers", "recipes", grace, title="Pinned recipe", at=start - timedelta(minutes=5))
    moderation.set_post_flag(grace, "bakers", pinned_recipe, "pinned", True)

    client = await pipeline.connect(f"{ROUTE}/bakers/recipes", cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.group_missing, state.group_name, state.channel_slug, state.may_post) == (
        False,
        "Bakers group",
        "recipes",
        True,
    )
    assert [(c.slug, c.name, c.href) for c in state.channels] == [
        ("general", "General", "/apps/communities/bakers/general"),
        ("recipes", "Recipes", "/apps/communities/bakers/recipes"),
        ("events", "Events", "/apps/communities/bakers/events"),
    ]
    assert [p.id for p in state.feed] == [rye]
    assert [p.id for p in state.pinned] == [pinned_recipe]

    every = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    state = await every.state(CommunitiesState)
    assert state.channel_slug == ""
    assert [p.id for p in state.feed] == [sale, rye, general]
    assert [p.id for p in state.pinned] == [pinned_recipe]


async def test_show_older_posts_on_a_channel_page_stays_in_that_channel(
    pipeline, caplog, profiles, grace, ada, channels
):
    start = clock.now() - timedelta(days=1)
    recipes = []
    for n in range(25):
        recipes.append(post_in("bakers", "recipes", grace, title=f"Recipe {n}", at=start + timedelta(minutes=2 * n)))
        post_in("bakers", "general", grace, title=f"Chat {n}", at=start + timedelta(minutes=2 * n + 1))
    client = await pipeline.connect(f"{ROUTE}/bakers/recipes", cookie=cookie_for(ada))
    state = await client.state(CommunitiesState)
    assert [p.id for p in state.feed] == list(reversed(recipes))[: posts.PAGE_SIZE]
    await client.send(CommunitiesState.more_posts, {})
    state = await client.state(CommunitiesState)
    assert [p.id for p in state.feed] == list(reversed(recipes))
    assert state.older_page == ""
    assert_nothing_crashed(pipeline, caplog)


async def test_publishing_from_a_channel_page_lands_in_that_channel(pipeline, caplog, profiles, ada, channels):
    client = await pipeline.connect(f"{ROUTE}/bakers/recipes", cookie=cookie_for(ada))
    # The page's channel wins over a "channel" field a client adds to the form.
    await client.send(CommunitiesState.publish, {"form_data": {"title": "Rye", "body": "Use a 100% starter."}})
    await client.send(
        CommunitiesState.publish, {"form_data": {"title": "Spelt", "body": "Softer crumb.", "channel": "events"}}
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.notice == "Posted."
    assert [p.title for p in state.feed] == ["Spelt", "Rye"]
    assert sorted((p.title, channel_of(p.id)) for p in rows(Post)) == [("Rye", "recipes"), ("Spelt", "recipes")]


async def test_publishing_on_all_channels_goes_to_the_chosen_channel(pipeline, caplog, profiles, ada, channels):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(
        CommunitiesState.publish, {"form_data": {"title": "Bake sale", "body": "Saturday at 10.", "channel": "events"}}
    )
    await client.send(CommunitiesState.publish, {"form_data": {"title": "Hello", "body": "Hi all."}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert [p.title for p in state.feed] == ["Hello", "Bake sale"]
    assert sorted((p.title, channel_of(p.id)) for p in rows(Post)) == [("Bake sale", "events"), ("Hello", "general")]


@pytest.mark.parametrize(
    "channel",
    ["news", "nope", "Recipes", "recipes..", "-", "x" * 300, "%2e%2e"],
    ids=["another-groups", "unknown", "upper-case", "dots", "dash", "300-chars", "encoded-dots"],
)
async def test_a_channel_that_is_not_the_groups_shows_the_not_open_page(
    pipeline, caplog, profiles, ada, channels, walkers, channel
):
    post_in("bakers", "recipes", ada, title="Rye")
    post_in("walkers", "news", ada, title="Walk on Sunday")
    client = await pipeline.connect(f"{ROUTE}/bakers/{channel}", cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.group_missing, state.group_name, state.feed, state.pinned, state.channels, state.may_post) == (
        True,
        "",
        [],
        [],
        [],
        False,
    )
    before = stored()
    await client.send(CommunitiesState.publish, {"form_data": {"title": "Lost", "body": "Where does it go?"}})
    await client.send(CommunitiesState.more_posts, {})
    assert_nothing_crashed(pipeline, caplog)
    assert stored() == before
    assert "Walk on Sunday" not in await shown(client)


@pytest.mark.parametrize(
    "channel",
    ["news", "nope", {"$ne": ""}, ["recipes"], 5, "../general", "x" * ONE_MB],
    ids=["another-groups", "unknown", "dict", "list", "int", "traversal", "one-mb"],
)
async def test_publish_with_a_channel_field_that_is_not_the_groups_stores_nothing(
    pipeline, caplog, profiles, ada, channels, walkers, channel
):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    before = stored()
    await client.send(
        CommunitiesState.publish, {"form_data": {"title": "Astray", "body": "Which channel?", "channel": channel}}
    )
    assert_nothing_crashed(pipeline, caplog)
    assert stored() == before
    assert rows(Post) == []
    state = await client.state(CommunitiesState)
    assert state.notice != "Posted."


async def test_publishing_to_a_channel_deleted_meanwhile_says_so_and_keeps_the_page(
    pipeline, caplog, profiles, ada, channels
):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    assert [c.slug for c in (await client.state(CommunitiesState)).channels] == ["general", "recipes", "events"]
    with db.write_session() as session:
        session.delete(
            session.exec(select(Channel).where(Channel.group_id == group_id("bakers"), Channel.slug == "events")).one()
        )
    await client.send(
        CommunitiesState.publish, {"form_data": {"title": "Bake sale", "body": "Saturday.", "channel": "events"}}
    )
    assert_nothing_crashed(pipeline, caplog)
    assert rows(Post) == []
    state = await client.state(CommunitiesState)
    assert (state.group_missing, state.group_name) == (False, "Bakers group")
    assert state.post_errors["body"] or state.notice


# --- 2. the composer's image -------------------------------------------------------------------------------


async def test_an_added_image_is_posted_with_its_description(pipeline, caplog, profiles, grace, ada, channels):
    client = await pipeline.connect(f"{ROUTE}/bakers/recipes", cookie=cookie_for(ada))
    await upload(pipeline, client, [("round loaf.png", PNG)])
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.image_error == ""
    assert state.draft_image.startswith("round loaf.png, ")
    assert len(files_on_disk()) == 1
    # The stored file's name stays on the server (a backend var): the tab holds only what the person sees.
    assert files_on_disk()[0] not in await shown(client)

    await client.send(
        CommunitiesState.publish,
        {"form_data": {"title": "Rye", "body": "Crumb shot.", "image_alt": "A round rye loaf, cut open"}},
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.notice, state.draft_image, state.image_error) == ("Posted.", "", "")
    [post] = state.feed
    assert (post.image_url, post.image_alt) == (f"/api/apps/communities/images/{post.id}", "A round rye loaf, cut open")
    assert channel_of(post.id) == "recipes"
    served = images.post_image(grace, post.id)
    assert (served.content_type, served.path.read_bytes()) == ("image/png", PNG)
    # The post has the file now: opening another page does not take it away.
    await client.send(CommunitiesState.load_group, {}, path=f"{ROUTE}/bakers")
    assert len(files_on_disk()) == 1
    assert images.post_image(ada, post.id).path.is_file()


def _get(url: str, cookie: str | None) -> tuple[int, str, bytes]:
    client = TestClient(Starlette(routes=child_app_routes()), base_url="http://localhost:3000")
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies.set(name, value)
    response = client.get(url)
    return response.status_code, response.headers.get("content-type", ""), response.content


async def test_a_private_groups_image_url_answers_its_members_only(pipeline, caplog, profiles, grace, ada, secret):
    client = await pipeline.connect(f"{ROUTE}/secret", cookie=cookie_for(grace))
    await upload(pipeline, client, [("plan.png", PNG)])
    await client.send(CommunitiesState.publish, {"form_data": {"body": "The plan", "image_alt": "A floor plan"}})
    [post] = [p for p in (await client.state(CommunitiesState)).feed if p.image_url]
    assert_nothing_crashed(pipeline, caplog)

    status, kind, body = await asyncio.to_thread(_get, post.image_url, cookie_for(grace))
    assert (status, kind, body) == (200, "image/png", PNG)
    # Ada is not in the private group; nobody signed in; a made-up post id: the same 404 for all.
    for cookie in (cookie_for(ada), None):
        status, _kind, body = await asyncio.to_thread(_get, post.image_url, cookie)
        assert status == 404 and PNG not in body
    status, _kind, _body = await asyncio.to_thread(
        _get, f"/api/apps/communities/images/{post.id + 1}", cookie_for(grace)
    )
    assert status == 404


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("drawing.svg", SVG, NOT_AN_IMAGE),
        ("drawing.png", SVG, NOT_AN_IMAGE),
        ("page.png", HTML, NOT_AN_IMAGE),
        ("empty.png", b"", "That file is empty. Choose another."),
        ("huge.png", PNG + b"\x00" * images.MAX_IMAGE_BYTES, "That file is too large: the limit is 5 MB."),
    ],
    ids=["svg", "svg-named-png", "html-named-png", "empty", "over-5-mb"],
)
async def test_a_file_that_is_not_an_image_is_refused_beside_the_picker(
    pipeline, caplog, profiles, ada, bakers, name, data, message
):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await upload(pipeline, client, [(name, data)])
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.image_error, state.draft_image) == (message, "")
    assert files_on_disk() == []
    # Posting now carries no image.
    await client.send(CommunitiesState.publish, {"form_data": {"body": "Text only", "image_alt": "Nothing"}})
    [post] = rows(Post)
    assert (post.image_file, post.image_alt) == ("", "")


async def test_a_refused_file_keeps_the_image_already_added(pipeline, caplog, profiles, ada, bakers):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await upload(pipeline, client, [("loaf.png", PNG)])
    kept = files_on_disk()
    await upload(pipeline, client, [("evil.png", SVG)])
    state = await client.state(CommunitiesState)
    assert state.image_error == NOT_AN_IMAGE and state.draft_image.startswith("loaf.png, ")
    assert files_on_disk() == kept
    assert_nothing_crashed(pipeline, caplog)


async def test_a_second_image_replaces_the_first_and_its_file_goes(pipeline, caplog, profiles, ada, bakers):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await upload(pipeline, client, [("first.png", PNG)])
    first = files_on_disk()
    await upload(pipeline, client, [("second.png", PNG)])
    state = await client.state(CommunitiesState)
    assert state.draft_image.startswith("second.png, ")
    assert len(files_on_disk()) == 1 and files_on_disk() != first
    assert_nothing_crashed(pipeline, caplog)


async def test_remove_image_drops_the_draft_and_its_file(pipeline, caplog, profiles, ada, bakers):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await upload(pipeline, client, [("loaf.png", PNG)])
    assert len(files_on_disk()) == 1
    await client.send(CommunitiesState.remove_image, {})
    state = await client.state(CommunitiesState)
    assert (state.draft_image, state.image_error) == ("", "")
    assert files_on_disk() == []
    await client.send(CommunitiesState.publish, {"form_data": {"body": "No picture after all", "image_alt": "x"}})
    [post] = rows(Post)
    assert (post.image_file, post.image_alt) == ("", "")
    # Removing again (or with a payload) is harmless.
    await client.send(CommunitiesState.remove_image, {"name": "../../portal.db"})
    assert_nothing_crashed(pipeline, caplog)


async def test_two_files_at_once_are_refused(pipeline, caplog, profiles, ada, bakers):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await upload(pipeline, client, [("a.png", PNG), ("b.png", PNG)])
    state = await client.state(CommunitiesState)
    assert (state.image_error, state.draft_image) == (ONE_IMAGE, "")
    assert files_on_disk() == []
    assert_nothing_crashed(pipeline, caplog)


async def test_leaving_the_group_page_drops_the_draft_image(pipeline, caplog, profiles, ada, bakers, walkers):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await upload(pipeline, client, [("loaf.png", PNG)])
    assert len(files_on_disk()) == 1
    await client.send(CommunitiesState.load_group, {}, path=f"{ROUTE}/walkers")
    state = await client.state(CommunitiesState)
    assert (state.group_slug, state.draft_image) == ("walkers", "")
    assert files_on_disk() == []
    # What bakers' tab had drafted is not posted in walkers.
    await client.send(CommunitiesState.publish, {"form_data": {"body": "Hello walkers"}}, path=f"{ROUTE}/walkers")
    [post] = rows(Post)
    assert post.image_file == ""
    assert_nothing_crashed(pipeline, caplog)


@pytest.mark.parametrize("alt", ["x" * 301, {"$ne": ""}, ["alt"]], ids=["301-chars", "dict", "list"])
async def test_a_bad_image_description_is_refused_and_the_draft_kept(pipeline, caplog, profiles, ada, bakers, alt):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await upload(pipeline, client, [("loaf.png", PNG)])
    await client.send(CommunitiesState.publish, {"form_data": {"body": "Look", "image_alt": alt}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.image_error and state.notice == ""
    assert state.draft_image.startswith("loaf.png, ") and len(files_on_disk()) == 1
    assert rows(Post) == []


FAKE_FILES = {
    "none": None,
    "empty-list": [],
    "a-dict": {"filename": "loaf.png", "content_type": "image/png", "data": "iVBORw0KGgo="},
    "list-of-a-dict": [{"filename": "loaf.png", "content_type": "image/png", "data": "iVBORw0KGgo="}],
    "file-like-dict": [{"file": {"read": "x"}, "filename": "notes.txt", "read": "x"}],
    "two-dicts": [{"filename": "a.png"}, {"filename": "b.png"}],
    "a-path": ["/etc/passwd"],
    "data-url": "data:image/png;base64,iVBORw0KGgo=",
    "one-mb": ["x" * ONE_MB],
    "dict-ne": {"$ne": ""},
    "true": True,
}


async def test_fake_uploads_sent_over_the_socket_are_refused_and_store_no_file(pipeline, caplog, profiles, ada, bakers):
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))

    async def check(fake):
        await client.send(CommunitiesState.attach_image, {"files": fake})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(CommunitiesState)
        assert (state.image_error, state.draft_image) == (ONE_IMAGE, "")
        assert files_on_disk() == []

    await check_each(pipeline, caplog, FAKE_FILES, check)
    await client.send(CommunitiesState.publish, {"form_data": {"body": "After the fakes", "image_alt": "x"}})
    [post] = rows(Post)
    assert post.image_file == ""


async def test_only_people_who_may_post_can_add_an_image(pipeline, caplog, profiles, grace, ada, bakers):
    make_group("readers", owner=grace)
    outsider = await pipeline.connect(f"{ROUTE}/readers", cookie=cookie_for(ada))
    assert (await outsider.state(CommunitiesState)).may_post is False
    await upload(pipeline, outsider, [("loaf.png", PNG)])
    state = await outsider.state(CommunitiesState)
    assert (state.image_error, state.draft_image) == ("Only people who may post here can add an image.", "")
    assert files_on_disk() == []

    anonymous = await pipeline.connect(f"{ROUTE}/bakers")
    await upload(pipeline, anonymous, [("loaf.png", PNG)])
    assert anonymous.redirects()[-1] == "/login?next=/apps/communities/bakers"
    assert files_on_disk() == []
    assert_nothing_crashed(pipeline, caplog)


# --- 3. editing my post ------------------------------------------------------------------------------------


async def test_the_author_edits_a_post_in_place(pipeline, caplog, profiles, grace, ada, bakers):
    add_post("bakers", grace, title="Grace's")
    mine = add_post("bakers", ada, title="Frist loaf", body="It rose.")
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    row = next(p for p in (await client.state(CommunitiesState)).feed if p.id == mine)
    assert (row.mine, row.body_markdown, row.edited) == (True, "It rose.", False)

    await client.send(CommunitiesState.edit_post, {"post_id": mine})
    assert (await client.state(CommunitiesState)).editing_post == mine
    await client.send(
        CommunitiesState.save_post,
        {"form_data": {"post_id": str(mine), "edit-title": "First loaf", "body": "It **rose** twice."}},
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.notice, state.editing_post, state.edit_errors) == ("Post saved.", 0, {"title": "", "body": ""})
    row = next(p for p in state.feed if p.id == mine)
    assert (row.title, row.body_html, row.edited) == ("First loaf", "<p>It <strong>rose</strong> twice.</p>\n", True)
    stored_post = post_in_db(mine)
    assert (stored_post.title, stored_post.body_markdown) == ("First loaf", "It **rose** twice.")
    assert stored_post.edited_at is not None

    # Cancel closes the form.
    await client.send(CommunitiesState.edit_post, {"post_id": mine})
    await client.send(CommunitiesState.edit_post, {"post_id": 0})
    assert (await client.state(CommunitiesState)).editing_post == 0


async def test_the_author_edits_a_post_on_its_own_page(pipeline, caplog, profiles, ada, bakers):
    mine = add_post("bakers", ada, title="Loaf", body="Before")
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{mine}", cookie=cookie_for(ada))
    await client.send(CommunitiesState.edit_post, {"post_id": mine})
    await client.send(
        CommunitiesState.save_post,
        {"form_data": {"post_id": str(mine), "edit-title": "Loaf", "body": "After " + XSS_PAYLOADS["img-onerror"]}},
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.notice, state.post.edited, state.post.title, state.post_missing) == (
        "Post saved.",
        True,
        "Loaf",
        False,
    )
    assert "After" in state.post.body_html
    assert_inert(state.post.body_html)


async def test_nobody_opens_the_edit_form_of_someone_elses_post(pipeline, caplog, profiles, grace, ada, bakers):
    theirs = add_post("bakers", grace, title="Grace's")
    mine = add_post("bakers", ada, title="Mine")
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    row = next(p for p in (await client.state(CommunitiesState)).feed if p.id == theirs)
    assert (row.mine, row.body_markdown) == (False, "")

    async def check(post_id):
        await client.send(CommunitiesState.edit_post, {"post_id": post_id})
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(CommunitiesState)).editing_post == 0

    cases = {
        "theirs": theirs,
        "missing": 999,
        "negative": -mine,
        "huge": 10**30,
        "none": None,
        "float": float(mine),
        "dict": {"id": mine},
        "list": [mine],
    }
    await check_each(pipeline, caplog, cases, check)


async def test_save_post_refuses_someone_elses_post(pipeline, caplog, profiles, grace, ada, bakers):
    theirs = add_post("bakers", grace, title="Grace's", body="Original")
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(
        CommunitiesState.save_post, {"form_data": {"post_id": str(theirs), "edit-title": "Defaced", "body": "Mine now"}}
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.notice == NOT_YOURS
    assert [(p.title, p.edited) for p in state.feed] == [("Grace's", False)]
    stored_post = post_in_db(theirs)
    assert (stored_post.title, stored_post.body_markdown, stored_post.edited_at) == ("Grace's", "Original", None)


async def test_save_post_with_a_post_id_of_another_group_changes_nothing(
    pipeline, caplog, profiles, grace, ada, bakers, walkers, secret
):
    """The hidden post_id field rewritten to Ada's own post in walkers, and to a post of a private group,
    while the tab is on the bakers: looked up within the bakers, so refused like a missing one."""
    add_post("bakers", ada, title="In bakers")
    elsewhere = add_post("walkers", ada, title="In walkers", body="Walk")
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    for post_id in (elsewhere, secret):
        await client.send(
            CommunitiesState.save_post, {"form_data": {"post_id": str(post_id), "edit-title": "Moved", "body": "x"}}
        )
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(CommunitiesState)
        assert state.notice == NOT_YOURS
        assert [p.title for p in state.feed] == ["In bakers"]
        assert SECRET_BODY not in await shown(client)
    assert (post_in_db(elsewhere).title, post_in_db(elsewhere).edited_at) == ("In walkers", None)
    assert (post_in_db(secret).title, post_in_db(secret).body_markdown) == ("Hidden title", SECRET_BODY)


@pytest.mark.parametrize(
    "post_id",
    ["abc", "-1", "1e3", " 5", "5; DROP TABLE post", "9" * 30, "", None, 5, True, {"$ne": ""}, ["1"], "٣"],
    ids=[
        "letters",
        "negative",
        "exponent",
        "space",
        "sql",
        "30-digits",
        "empty",
        "none",
        "int",
        "bool",
        "dict",
        "list",
        "arabic-digit",
    ],
)
async def test_save_post_with_a_post_id_that_is_not_an_id_changes_nothing(
    pipeline, caplog, profiles, ada, bakers, post_id
):
    mine = add_post("bakers", ada, title="Mine", body="Original")
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(
        CommunitiesState.save_post, {"form_data": {"post_id": post_id, "edit-title": "Changed", "body": "Changed"}}
    )
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(CommunitiesState)).notice == NOT_YOURS
    assert (post_in_db(mine).title, post_in_db(mine).body_markdown, post_in_db(mine).edited_at) == (
        "Mine",
        "Original",
        None,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": ""}, "body", "Write your post first."),
        ({"body": "  \n "}, "body", "Write your post first."),
        ({"body": "x" * 20_001}, "body", "Keep the post to 20,000 characters or fewer."),
        ({"body": " ".join(f"https://example.com/{n}" for n in range(11))}, "body", "A post may hold up to 10 links."),
        ({"body": {"$ne": ""}}, "body", "Write your post first."),
        ({"body": ["x"]}, "body", "Write your post first."),
        ({"edit-title": "T" * 201, "body": "Fine"}, "title", "Keep the title to 200 characters or fewer."),
    ],
    ids=["empty", "whitespace", "20001-chars", "11-links", "body-dict", "body-list", "long-title"],
)
async def test_save_post_with_bad_text_says_why_and_keeps_the_post(
    pipeline, caplog, profiles, ada, bakers, fields, field, message
):
    mine = add_post("bakers", ada, title="Mine", body="Original")
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(CommunitiesState.edit_post, {"post_id": mine})
    await client.send(CommunitiesState.save_post, {"form_data": {"post_id": str(mine), **fields}})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.edit_errors[field] == message
    assert state.editing_post == mine, "the form closed and took what was typed with it"
    assert (post_in_db(mine).title, post_in_db(mine).body_markdown, post_in_db(mine).edited_at) == (
        "Mine",
        "Original",
        None,
    )


@pytest.mark.parametrize("title", [{"$ne": ""}, ["a title"], 7], ids=["dict", "list", "int"])
async def test_save_post_with_a_title_that_is_not_text_says_why(pipeline, caplog, profiles, ada, bakers, title):
    mine = add_post("bakers", ada, title="Mine", body="Original")
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(
        CommunitiesState.save_post, {"form_data": {"post_id": str(mine), "edit-title": title, "body": "Good"}}
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.edit_errors["title"]
    assert post_in_db(mine).body_markdown == "Original"


@pytest.mark.parametrize("form_data", [None, "post_id=1&body=x", ["post_id", "1"], 42, {}], ids=str)
async def test_save_post_with_a_form_that_is_no_form_changes_nothing(
    pipeline, caplog, profiles, ada, bakers, form_data
):
    mine = add_post("bakers", ada, title="Mine", body="Original")
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(CommunitiesState.save_post, {"form_data": form_data})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.edit_errors["body"] or state.notice == NOT_YOURS
    assert (post_in_db(mine).body_markdown, post_in_db(mine).edited_at) == ("Original", None)


@pytest.mark.parametrize("how", ["left", "banned"])
async def test_a_former_member_cannot_edit_their_post(pipeline, caplog, profiles, grace, ada, bakers, how):
    mine = add_post("bakers", ada, title="Mine", body="Original")
    cookie = cookie_for(ada)
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie)
    if how == "left":
        assert groups.leave(ada, "bakers") is True
    else:
        groups.set_member_status(grace, "bakers", ada, "banned")
    await client.send(
        CommunitiesState.save_post, {"form_data": {"post_id": str(mine), "edit-title": "Changed", "body": "Changed"}}
    )
    assert_nothing_crashed(pipeline, caplog)
    assert (post_in_db(mine).title, post_in_db(mine).edited_at) == ("Mine", None)


async def test_editing_an_older_post_keeps_the_older_posts_shown(pipeline, caplog, profiles, ada, bakers):
    start = clock.now() - timedelta(days=1)
    ids = [add_post("bakers", ada, title=f"Post {n}", at=start + timedelta(minutes=n)) for n in range(30)]
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(CommunitiesState.more_posts, {})
    assert len((await client.state(CommunitiesState)).feed) == 30
    oldest = ids[0]
    await client.send(CommunitiesState.edit_post, {"post_id": oldest})
    await client.send(
        CommunitiesState.save_post, {"form_data": {"post_id": str(oldest), "edit-title": "Post 0", "body": "Fixed"}}
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.notice == "Post saved."
    assert len(state.feed) == 30
    assert next(p for p in state.feed if p.id == oldest).edited is True


async def test_editing_my_post_from_the_search_results_opens_its_form(pipeline, caplog, profiles, ada, bakers):
    start = clock.now() - timedelta(days=1)
    old = add_post("bakers", ada, title="Cardamom buns", at=start)
    for n in range(25):
        add_post("bakers", ada, title=f"Post {n}", at=start + timedelta(minutes=n + 1))
    client = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await client.send(CommunitiesState.search, {"form_data": {"query": "cardamom"}})
    state = await client.state(CommunitiesState)
    [found] = state.search_results
    assert (found.id, found.mine) == (old, True)
    assert old not in [p.id for p in state.feed]
    await client.send(CommunitiesState.edit_post, {"post_id": old})
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(CommunitiesState)).editing_post == old


# --- 4. comments: edit, reply, like ------------------------------------------------------------------------


@pytest.fixture
def thread(grace, ada, cat, bakers) -> dict[str, int]:
    """Grace's post with Ada's comment and Cat's reply to it, and Cat's own comment."""
    post = add_post("bakers", grace, title="Starter help")
    ada_comment = posts.add_comment(ada, "bakers", post, body="Feed it twice a day.")
    cat_reply = posts.add_comment(cat, "bakers", post, body="And keep it warm.", parent_id=ada_comment)
    cat_comment = posts.add_comment(cat, "bakers", post, body="Which flour?")
    return {"post": post, "ada_comment": ada_comment, "cat_reply": cat_reply, "cat_comment": cat_comment}


async def test_the_author_edits_a_comment_in_place(pipeline, caplog, profiles, ada, thread):
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))
    state = await client.state(CommunitiesState)
    mine = next(c for c in state.comments if c.id == thread["ada_comment"])
    assert (mine.mine, mine.body_markdown, mine.edited) == (True, "Feed it twice a day.", False)
    theirs = next(c for c in state.comments if c.id == thread["cat_comment"])
    assert (theirs.mine, theirs.body_markdown) == (False, "")

    await client.send(CommunitiesState.edit_comment, {"comment_id": thread["ada_comment"]})
    assert (await client.state(CommunitiesState)).editing_comment == thread["ada_comment"]
    await client.send(
        CommunitiesState.save_comment,
        {"form_data": {"comment_id": str(thread["ada_comment"]), "body": "Feed it **three** times a day."}},
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.comment_error, state.editing_comment) == ("", 0)
    mine = next(c for c in state.comments if c.id == thread["ada_comment"])
    assert (mine.body_html, mine.edited) == ("<p>Feed it <strong>three</strong> times a day.</p>\n", True)
    # Its reply stays under it.
    assert [r.id for r in mine.replies] == [thread["cat_reply"]]
    assert comment_in_db(thread["ada_comment"]).edited_at is not None


async def test_nobody_edits_someone_elses_comment(pipeline, caplog, profiles, grace, ada, thread, walkers, secret):
    other_post = add_post("walkers", ada, title="Walk")
    elsewhere = posts.add_comment(ada, "walkers", other_post, body="My comment in walkers")
    [private_comment] = [c.id for c in rows(Comment) if c.post_id == secret]
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))
    before = {c.id: (c.body_markdown, c.edited_at) for c in rows(Comment)}

    # The form does not open for a comment that is not Ada's (or not on this page).
    for comment_id in (thread["cat_comment"], thread["cat_reply"], elsewhere, private_comment, 999, None, "x"):
        await client.send(CommunitiesState.edit_comment, {"comment_id": comment_id})
        assert (await client.state(CommunitiesState)).editing_comment == 0, comment_id

    # A form sent anyway, with the hidden comment_id rewritten, is refused.
    for comment_id in (thread["cat_comment"], thread["cat_reply"], elsewhere, private_comment):
        await client.send(
            CommunitiesState.save_comment, {"form_data": {"comment_id": str(comment_id), "body": "Defaced"}}
        )
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(CommunitiesState)
        assert state.comment_error == COMMENT_NOT_YOURS, comment_id
        assert "A secret comment" not in await shown(client)
    assert {c.id: (c.body_markdown, c.edited_at) for c in rows(Comment)} == before


@pytest.mark.parametrize(
    "comment_id",
    ["abc", "-1", " 5", "5 OR 1=1", "9" * 30, "", None, 5, True, {"$ne": ""}, ["1"]],
    ids=["letters", "negative", "space", "sql", "30-digits", "empty", "none", "int", "bool", "dict", "list"],
)
async def test_save_comment_with_a_comment_id_that_is_not_an_id_changes_nothing(
    pipeline, caplog, profiles, ada, thread, comment_id
):
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))
    before = {c.id: (c.body_markdown, c.edited_at) for c in rows(Comment)}
    await client.send(CommunitiesState.save_comment, {"form_data": {"comment_id": comment_id, "body": "Changed"}})
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(CommunitiesState)).comment_error == COMMENT_NOT_YOURS
    assert {c.id: (c.body_markdown, c.edited_at) for c in rows(Comment)} == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your comment first."),
        ("   ", "Write your comment first."),
        ("x" * 5_001, "Keep the comment to 5,000 characters or fewer."),
        ({"$ne": ""}, "Write your comment first."),
        (None, "Write your comment first."),
    ],
    ids=["empty", "whitespace", "5001-chars", "dict", "none"],
)
async def test_save_comment_with_bad_text_says_why_and_keeps_the_comment(
    pipeline, caplog, profiles, ada, thread, body, message
):
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))
    await client.send(CommunitiesState.edit_comment, {"comment_id": thread["ada_comment"]})
    await client.send(
        CommunitiesState.save_comment, {"form_data": {"comment_id": str(thread["ada_comment"]), "body": body}}
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.comment_error, state.editing_comment) == (message, thread["ada_comment"])
    assert (comment_in_db(thread["ada_comment"]).body_markdown, comment_in_db(thread["ada_comment"]).edited_at) == (
        "Feed it twice a day.",
        None,
    )


async def test_a_comment_edited_with_hostile_text_stays_inert(pipeline, caplog, profiles, ada, thread):
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))
    await client.send(
        CommunitiesState.save_comment,
        {"form_data": {"comment_id": str(thread["ada_comment"]), "body": "\n\n".join(XSS_PAYLOADS.values())}},
    )
    assert_nothing_crashed(pipeline, caplog)
    mine = next(c for c in (await client.state(CommunitiesState)).comments if c.id == thread["ada_comment"])
    assert mine.edited
    assert_inert(mine.body_html)


async def test_a_reply_opens_under_its_comment_and_lands_there(pipeline, caplog, profiles, grace, ada, thread):
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(grace))
    await client.send(CommunitiesState.reply_to, {"comment_id": thread["cat_comment"]})
    assert (await client.state(CommunitiesState)).replying_to == thread["cat_comment"]
    await client.send(
        CommunitiesState.comment,
        {"form_data": {"body": "Strong bread flour.", "parent_id": str(thread["cat_comment"])}},
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert (state.comment_error, state.replying_to, state.post.comments) == ("", 0, 4)
    top = {c.id: c for c in state.comments}
    assert set(top) == {thread["ada_comment"], thread["cat_comment"]}
    assert [(r.author, r.body_html) for r in top[thread["cat_comment"]].replies] == [
        ("Grace Hopper", "<p>Strong bread flour.</p>\n")
    ]
    # Cancel closes the form.
    await client.send(CommunitiesState.reply_to, {"comment_id": thread["ada_comment"]})
    await client.send(CommunitiesState.reply_to, {"comment_id": 0})
    assert (await client.state(CommunitiesState)).replying_to == 0


async def test_a_reply_to_a_reply_stays_one_level_deep(pipeline, caplog, profiles, grace, thread):
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(grace))
    await client.send(CommunitiesState.reply_to, {"comment_id": thread["cat_reply"]})
    assert (await client.state(CommunitiesState)).replying_to == thread["cat_reply"]
    await client.send(
        CommunitiesState.comment, {"form_data": {"body": "Agreed, 26 degrees.", "parent_id": str(thread["cat_reply"])}}
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    ada_thread = next(c for c in state.comments if c.id == thread["ada_comment"])
    assert [r.body_html for r in ada_thread.replies] == ["<p>And keep it warm.</p>\n", "<p>Agreed, 26 degrees.</p>\n"]
    assert all(r.replies == [] for r in ada_thread.replies)


async def test_the_reply_form_opens_only_for_a_comment_on_the_page(
    pipeline, caplog, profiles, grace, ada, thread, walkers, secret
):
    other_post = add_post("walkers", ada, title="Walk")
    elsewhere = posts.add_comment(ada, "walkers", other_post, body="In walkers")
    [private_comment] = [c.id for c in rows(Comment) if c.post_id == secret]
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))

    async def check(comment_id):
        await client.send(CommunitiesState.reply_to, {"comment_id": comment_id})
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(CommunitiesState)).replying_to == 0

    cases = {
        "another-posts": elsewhere,
        "private-groups": private_comment,
        "missing": 999,
        "string": "first",
        "none": None,
        "negative": -1,
        "dict": {"id": thread["cat_comment"]},
        "list": [thread["cat_comment"]],
    }
    await check_each(pipeline, caplog, cases, check)

    # A reply sent anyway to another post's or another group's comment is refused, nothing stored.
    before = stored()
    for parent in (elsewhere, private_comment):
        await client.send(CommunitiesState.comment, {"form_data": {"body": "Sneaky reply", "parent_id": str(parent)}})
        state = await client.state(CommunitiesState)
        assert state.comment_error, parent
        assert "A secret comment" not in await shown(client)
    assert stored() == before
    assert_nothing_crashed(pipeline, caplog)


async def test_liking_a_comment_counts_and_toggles(pipeline, caplog, profiles, grace, ada, thread):
    target = thread["cat_comment"]
    ada_tab = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))
    grace_tab = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(grace))

    def row(state, comment_id):
        return next(c for top in state.comments for c in (top, *top.replies) if c.id == comment_id)

    await ada_tab.send(CommunitiesState.like_comment, {"comment_id": target})
    state = await ada_tab.state(CommunitiesState)
    assert (row(state, target).likes, row(state, target).liked, state.comment_error) == (1, True, "")
    await grace_tab.send(CommunitiesState.like_comment, {"comment_id": target})
    state = await grace_tab.state(CommunitiesState)
    assert (row(state, target).likes, row(state, target).liked) == (2, True)
    await ada_tab.send(CommunitiesState.like_comment, {"comment_id": target})
    state = await ada_tab.state(CommunitiesState)
    assert (row(state, target).likes, row(state, target).liked) == (1, False)
    # A reply is liked the same way.
    await ada_tab.send(CommunitiesState.like_comment, {"comment_id": thread["cat_reply"]})
    state = await ada_tab.state(CommunitiesState)
    assert (row(state, thread["cat_reply"]).likes, row(state, thread["cat_reply"]).liked) == (1, True)
    assert comment_in_db(target).like_count == 1
    assert sorted((like.comment_id, like.account_id) for like in rows(CommentLike)) == sorted(
        [(target, grace), (thread["cat_reply"], ada)]
    )
    assert_nothing_crashed(pipeline, caplog)


@pytest.mark.parametrize(
    "comment_id",
    ["other-group", "private-group", 10**30, 2**63, "abc", None, -1, 0, True, 1.5, {"id": 1}, [1]],
    ids=[
        "other-group",
        "private-group",
        "10e30",
        "2e63",
        "string",
        "none",
        "negative",
        "zero",
        "bool",
        "float",
        "dict",
        "list",
    ],
)
async def test_like_comment_with_a_bad_id_changes_nothing(
    pipeline, caplog, profiles, grace, ada, thread, walkers, secret, comment_id
):
    other_post = add_post("walkers", grace, title="Walk")
    elsewhere = posts.add_comment(grace, "walkers", other_post, body="In walkers")
    [private_comment] = [c.id for c in rows(Comment) if c.post_id == secret]
    if comment_id in ("other-group", "private-group"):
        comment_id = elsewhere if comment_id == "other-group" else private_comment
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))
    await client.send(CommunitiesState.like_comment, {"comment_id": comment_id})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CommunitiesState)
    assert state.comment_error == COMMENT_GONE
    assert state.post.title == "Starter help" and len(state.comments) == 2
    assert rows(CommentLike) == []
    assert all(c.like_count == 0 for c in rows(Comment))
    assert "A secret comment" not in await shown(client)


async def test_a_non_member_reads_a_public_thread_but_may_not_like_or_reply(pipeline, caplog, profiles, thread):
    stranger = add_account("sam@example.com", "Sam Stranger")
    grant(stranger, "communities")
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(stranger))
    state = await client.state(CommunitiesState)
    assert (state.post.title, state.may_comment) == ("Starter help", False)
    before = stored()
    await client.send(CommunitiesState.like_comment, {"comment_id": thread["cat_comment"]})
    state = await client.state(CommunitiesState)
    assert state.comment_error == "Join the group to like comments."
    await client.send(
        CommunitiesState.comment, {"form_data": {"body": "Me too", "parent_id": str(thread["cat_comment"])}}
    )
    state = await client.state(CommunitiesState)
    assert state.comment_error == "Join the group to comment."
    assert stored() == before and rows(CommentLike) == []
    assert_nothing_crashed(pipeline, caplog)


async def test_a_hidden_comment_cannot_be_liked_by_a_member(pipeline, caplog, profiles, grace, ada, thread):
    moderation.set_comment_hidden(grace, "bakers", thread["cat_comment"], True)
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(ada))
    assert thread["cat_comment"] not in [c.id for c in (await client.state(CommunitiesState)).comments]
    await client.send(CommunitiesState.like_comment, {"comment_id": thread["cat_comment"]})
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(CommunitiesState)).comment_error == COMMENT_GONE
    assert rows(CommentLike) == []


# --- 5. reply and mention emails through the handlers ------------------------------------------------------


async def test_a_comment_on_my_post_and_a_mention_email_the_right_people(pipeline, caplog, profiles, grace, ada, cat):
    post = add_post("bakers", grace, title="Crumb")
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{post}", cookie=cookie_for(ada))
    await client.send(CommunitiesState.comment, {"form_data": {"body": "Lovely. @Cat what do you think?"}})
    assert_nothing_crashed(pipeline, caplog)
    [to_grace] = thread_emails("grace@example.com")
    assert to_grace.subject == "Ada Lovelace replied in “Crumb”"
    assert f"/apps/communities/bakers/post/{post}" in to_grace.text_body
    [to_cat] = thread_emails("cat@example.com")
    assert to_cat.subject == "Ada Lovelace mentioned you in “Crumb”"
    assert thread_emails("ada@example.com") == []


async def test_answering_a_reply_emails_the_replys_author(pipeline, caplog, profiles, grace, ada, thread):
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{thread['post']}", cookie=cookie_for(grace))
    before = len(thread_emails("cat@example.com"))
    await client.send(CommunitiesState.reply_to, {"comment_id": thread["cat_reply"]})
    await client.send(
        CommunitiesState.comment, {"form_data": {"body": "Warm, yes.", "parent_id": str(thread["cat_reply"])}}
    )
    assert_nothing_crashed(pipeline, caplog)
    # Nobody had answered Cat before, so no email about this thread held Cat's hour: one goes now.
    assert len(thread_emails("cat@example.com")) == before + 1


# --- 6. live: a refresh keeps what the page shows ----------------------------------------------------------


async def wait_for(client, predicate, *, seconds: float = 5.0):
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state = await client.state(CommunitiesState)
        if predicate(state) or asyncio.get_running_loop().time() > deadline:
            return state
        await asyncio.sleep(0.02)


async def test_a_live_refresh_keeps_the_older_posts_shown(pipeline, caplog, profiles, grace, ada, bakers):
    start = clock.now() - timedelta(days=1)
    ids = [add_post("bakers", grace, title=f"Post {n}", at=start + timedelta(minutes=n)) for n in range(45)]
    reader = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await reader.send(CommunitiesState.more_posts, {})
    assert len((await reader.state(CommunitiesState)).feed) == 40

    writer = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(grace))
    await writer.send(CommunitiesState.publish, {"form_data": {"title": "Fresh", "body": "Just posted"}})
    state = await wait_for(reader, lambda s: s.feed and s.feed[0].title == "Fresh")
    assert state.feed[0].title == "Fresh", "the reader's tab was not refreshed live"
    assert len(state.feed) >= 40
    assert [p.id for p in state.feed[1:40]] == list(reversed(ids))[:39]
    assert state.older_page != ""
    # "Show older posts" goes on from where the page is.
    await reader.send(CommunitiesState.more_posts, {})
    state = await reader.state(CommunitiesState)
    assert [p.id for p in state.feed[1:]] == list(reversed(ids))
    assert_nothing_crashed(pipeline, caplog)


async def test_a_live_refresh_keeps_the_oldest_post_shown(pipeline, caplog, profiles, grace, ada, bakers):
    start = clock.now() - timedelta(days=1)
    ids = [add_post("bakers", grace, title=f"Post {n}", at=start + timedelta(minutes=n)) for n in range(25)]
    reader = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    await reader.send(CommunitiesState.more_posts, {})
    assert [p.id for p in (await reader.state(CommunitiesState)).feed] == list(reversed(ids))

    writer = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(grace))
    await writer.send(CommunitiesState.publish, {"form_data": {"title": "Fresh", "body": "Just posted"}})
    state = await wait_for(reader, lambda s: s.feed and s.feed[0].title == "Fresh")
    assert state.feed[0].title == "Fresh", "the reader's tab was not refreshed live"
    assert [p.id for p in state.feed[1:]] == list(reversed(ids))


async def test_a_live_refresh_keeps_more_than_200_posts_shown(pipeline, caplog, profiles, grace, ada, bakers):
    start = clock.now() - timedelta(days=1)
    for n in range(225):
        add_post("bakers", grace, title=f"Post {n}", at=start + timedelta(minutes=n))
    reader = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(ada))
    for _ in range(11):
        await reader.send(CommunitiesState.more_posts, {})
    assert len((await reader.state(CommunitiesState)).feed) == 225

    writer = await pipeline.connect(f"{ROUTE}/bakers", cookie=cookie_for(grace))
    await writer.send(CommunitiesState.publish, {"form_data": {"title": "Fresh", "body": "Just posted"}})
    state = await wait_for(reader, lambda s: s.feed and s.feed[0].title == "Fresh")
    assert state.feed[0].title == "Fresh", "the reader's tab was not refreshed live"
    assert len(state.feed) >= 225


async def test_a_live_refresh_on_a_channel_page_stays_in_its_channel(pipeline, caplog, profiles, grace, ada, channels):
    rye = post_in("bakers", "recipes", grace, title="Rye")
    reader = await pipeline.connect(f"{ROUTE}/bakers/recipes", cookie=cookie_for(ada))
    writer = await pipeline.connect(f"{ROUTE}/bakers/events", cookie=cookie_for(grace))
    await writer.send(CommunitiesState.publish, {"form_data": {"title": "Bake sale", "body": "Saturday"}})
    writer_recipes = await pipeline.connect(f"{ROUTE}/bakers/recipes", cookie=cookie_for(grace))
    await writer_recipes.send(CommunitiesState.publish, {"form_data": {"title": "Spelt", "body": "Soft"}})
    state = await wait_for(reader, lambda s: [p.title for p in s.feed] == ["Spelt", "Rye"])
    assert [p.title for p in state.feed] == ["Spelt", "Rye"]
    assert rye in [p.id for p in state.feed] and state.channel_slug == "recipes"
    assert_nothing_crashed(pipeline, caplog)


# --- reporting a comment ---------------------------------------------------------------------------------


async def test_a_member_reports_a_comment_and_ids_from_elsewhere_are_refused(
    pipeline, caplog, profiles, grace, ada, bakers, secret
):
    from portal_app.apps.communities.models import Report

    post_id = add_post("bakers", grace, title="Hello")
    comment_id = posts.add_comment(grace, "bakers", post_id, body="Rude words")
    other_post = add_post("bakers", grace, title="Other")
    [private_comment] = [c.id for c in rows(Comment) if c.post_id == secret]
    client = await pipeline.connect(f"{ROUTE}/bakers/post/{post_id}", cookie=cookie_for(ada))
    for bad in (str(private_comment), "abc", "", "-1", str(10**30)):
        await client.send(
            CommunitiesState.report_post,
            {"form_data": {"post_id": str(post_id), "comment_id": bad, "reason": "Rude"}},
        )
        assert (await client.state(CommunitiesState)).report_notice == "That post is not there any more.", bad
    # A comment of another post, named with this post's id: refused too.
    await client.send(
        CommunitiesState.report_post,
        {"form_data": {"post_id": str(other_post), "comment_id": str(comment_id), "reason": "Rude"}},
    )
    assert rows(Report) == []
    await client.send(
        CommunitiesState.report_post,
        {"form_data": {"post_id": str(post_id), "comment_id": str(comment_id), "reason": "Rude"}},
    )
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(CommunitiesState)).report_notice.startswith("Thank you")
    [report] = rows(Report)
    assert (report.post_id, report.comment_id, report.reason) == (post_id, comment_id, "Rude")
