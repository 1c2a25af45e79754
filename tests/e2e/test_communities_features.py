"""Communities' member features in the browser: channels and posting in one, an image in the composer (and
who may fetch it), files that are not images refused beside the picker, editing a post in place, replying
to and liking a comment, a mention email with a working link, a live refresh that keeps older posts, and
screenshots of a group's feed, a thread and the moderation queue on a desktop and a phone.

Groups, channels, memberships and seeded posts are made from the test process in the server's database
(channels as rows, as the admin side makes them); everything the tests check is what a person sees.
"""

from __future__ import annotations

import io
import random
import re
import secrets
import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta

from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from portal_app.accounts.models import Account
from portal_app.admin.audit import Actor
from portal_app.apps import files
from portal_app.apps.communities import groups, images, moderation, posts
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.communities.models import Channel, CommunityGroup, GroupMember, Post
from portal_app.kernel import clock, db
from tests.e2e.support import mailbox, mailbox_base, wait_for_email
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_communities_app import _member

OWNER = Actor("owner@example.com")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LIVE_MS = 5000
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script><p>Not a picture</p></body></html>"
NOT_AN_IMAGE = "That kind of file is not taken here. Choose a GIF, JPG, PNG, WEBP file."


# --- helpers ----------------------------------------------------------------------------------------------


@dataclass
class Person:
    page: Page
    id: int
    email: str
    name: str


def _person(browser: Browser, base_url: str, name: str) -> Person:
    """A signed-in person with the app, in their own browser context (test_communities_app's _member)."""
    page = _member(browser, base_url, name)
    with db.read_session() as session:
        # The newest account of that name is the one just made (the browser tests run one at a time).
        account = session.exec(
            select(Account).where(Account.full_name == name).order_by(col(Account.id).desc())
        ).first()
    return Person(page, account.id, account.email, name)


def _group(name: str, *, visibility: str = "public", description: str = "", owner: int | None = None) -> str:
    return groups.create_group(
        OWNER,
        name=name,
        slug=f"{name.lower().replace(' ', '-')}-{secrets.token_hex(3)}",
        description=description,
        visibility=visibility,
        owner_account_id=owner,
    )


def _group_id(slug: str) -> int:
    with db.read_session() as session:
        return session.exec(select(CommunityGroup.id).where(CommunityGroup.slug == slug)).one()


def _channels(slug: str, *names: str) -> None:
    """Channels after General, as the admin side makes them (rows of the group's channels)."""
    with db.write_session() as session:
        for position, name in enumerate(names, start=1):
            session.add(Channel(group_id=_group_id(slug), slug=name.lower(), name=name, position=position))


def _join(slug: str, *people: Person, role: str = "member") -> None:
    for person in people:
        groups.join(person.id, slug)
        with db.write_session() as session:
            member = session.exec(
                select(GroupMember).where(GroupMember.group_id == _group_id(slug), GroupMember.account_id == person.id)
            ).one()
            member.status, member.role = "active", role
            session.add(member)


def _seed_post(slug: str, author: Person, title: str, *, channel: str = "general", at=None, body: str = "") -> int:
    """A post written straight to the table (no per-minute limit), at a chosen moment."""
    with db.write_session() as session:
        gid = _group_id(slug)
        channel_id = session.exec(select(Channel.id).where(Channel.group_id == gid, Channel.slug == channel)).one()
        post = Post(
            group_id=gid,
            channel_id=channel_id,
            author_id=author.id,
            title=title,
            body_markdown=body or f"Body of {title}",
            created_at=at or clock.now(),
        )
        session.add(post)
        session.flush()
        return post.id


def _channel_of(title: str, slug: str) -> str:
    with db.read_session() as session:
        return session.exec(
            select(Channel.slug)
            .join(Post, Post.channel_id == Channel.id)
            .where(Post.title == title, Post.group_id == _group_id(slug))
        ).one()


def _png(width: int, height: int, seed: int = 7) -> bytes:
    """A real PNG: a warm crust-coloured gradient with some grain (so it does not compress to nothing)."""
    grain = random.Random(seed)
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw += bytes(
                (
                    min(255, 150 + x * 80 // width + grain.randint(0, 20)),
                    min(255, 85 + y * 70 // height + grain.randint(0, 20)),
                    40 + grain.randint(0, 25),
                )
            )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def _stored_images() -> set[str]:
    folder = files.app_folder(APP_KEY)
    return {path.name for path in folder.iterdir()} if folder.is_dir() else set()


def _picker(page: Page):
    """The composer's file input (the dropzone's input, labelled by the "Image (optional)" label around it)."""
    return page.get_by_label("Image (optional)")


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _images_loaded(page: Page) -> None:
    page.wait_for_function("[...document.images].every((img) => img.complete && img.naturalWidth > 0)")


# --- 1. channels ---------------------------------------------------------------------------------------------


def test_channels_nav_and_posting_in_a_channel(base_url: str, browser: Browser):
    slug = _group("Bakers")
    _channels(slug, "Recipes", "Events")
    ann = _person(browser, base_url, "Ann Channels")
    _join(slug, ann)
    page = ann.page
    page.goto(f"/apps/communities/{slug}")
    nav = page.get_by_role("navigation", name="Channels")
    expect(nav.get_by_role("link")).to_have_text(["All channels", "General", "Recipes", "Events"])
    expect(nav.get_by_role("link", name="All channels")).to_have_attribute("aria-current", "page")
    for name in ("General", "Recipes", "Events"):
        expect(nav.get_by_role("link", name=name, exact=True)).not_to_have_attribute("aria-current", "page")

    # On "All channels" the composer asks where the post goes.
    channel = page.get_by_label("Channel", exact=True)
    expect(channel.locator("option")).to_have_text(["General", "Recipes", "Events"])
    channel.select_option(label="Events")
    page.get_by_label("Title (optional)").fill("Bake sale")
    page.get_by_label("Your post").fill("Saturday at ten, by the market.")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name="Bake sale")).to_be_visible()
    assert_no_violations(page, "a group's feed with its channels")

    # A channel's page: its own feed, no channel choice, and a post from it lands in it.
    nav.get_by_role("link", name="Recipes", exact=True).click()
    page.wait_for_url(re.compile(rf".*/apps/communities/{slug}/recipes/?$"))
    expect(nav.get_by_role("link", name="Recipes", exact=True)).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="All channels")).not_to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No posts yet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Bake sale")).to_have_count(0)
    expect(page.get_by_label("Channel", exact=True)).to_have_count(0)
    page.get_by_label("Title (optional)").fill("Rye starter")
    page.get_by_label("Your post").fill("Equal parts rye flour and water.")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name="Rye starter")).to_be_visible()

    nav.get_by_role("link", name="Events", exact=True).click()
    page.wait_for_url(re.compile(rf".*/apps/communities/{slug}/events/?$"))
    expect(page.get_by_role("heading", name="Bake sale")).to_be_visible()
    expect(page.get_by_role("heading", name="Rye starter")).to_have_count(0)

    nav.get_by_role("link", name="All channels").click()
    page.wait_for_url(re.compile(rf".*/apps/communities/{slug}/?$"))
    expect(page.get_by_role("heading", name="Rye starter")).to_be_visible()
    expect(page.get_by_role("heading", name="Bake sale")).to_be_visible()
    assert (_channel_of("Bake sale", slug), _channel_of("Rye starter", slug)) == ("events", "recipes")

    # Another group's channel, or none, under this group: the not-open page.
    page.goto(f"/apps/communities/{slug}/no-such-channel")
    expect(page.get_by_role("heading", name="That group is not open to you")).to_be_visible()
    page.context.close()


# --- 2. an image in the composer ---------------------------------------------------------------------------


def test_an_image_is_posted_with_its_description_and_hidden_from_outsiders(base_url: str, browser: Browser, tmp_path):
    ann = _person(browser, base_url, "Ann Photos")
    slug = _group("Darkroom", visibility="private", owner=ann.id)
    picture = tmp_path / "round-loaf.png"
    picture.write_bytes(_png(160, 120))
    page = ann.page
    page.goto(f"/apps/communities/{slug}")
    expect(page.get_by_role("button", name="Add image")).to_be_visible()

    # Added, then removed: the picker is back.
    _picker(page).set_input_files(picture)
    page.get_by_role("button", name="Add image").click()
    expect(page.get_by_text(re.compile(r"^Image: round-loaf\.png, \d+ KB$"))).to_be_visible()
    page.get_by_role("button", name="Remove image").click()
    expect(page.get_by_role("button", name="Add image")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Image: "))).to_have_count(0)

    # Added again, described, posted.
    _picker(page).set_input_files(picture)
    page.get_by_role("button", name="Add image").click()
    expect(page.get_by_text(re.compile(r"^Image: round-loaf\.png, \d+ KB$"))).to_be_visible()
    assert_no_violations(page, "the composer with an image added")
    page.get_by_label("Describe the image (for people who cannot see it)").fill("A round loaf on a wooden board")
    page.get_by_label("Title (optional)").fill("Today's bake")
    page.get_by_label("Your post").fill("Crackly crust this time.")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("Posted.")).to_be_visible()
    image = page.get_by_role("img", name="A round loaf on a wooden board")
    expect(image).to_be_visible()
    _images_loaded(page)
    assert image.evaluate("(img) => img.naturalWidth") == 160
    # The composer is empty again: no image waiting.
    expect(page.get_by_text(re.compile(r"^Image: "))).to_have_count(0)
    src = image.get_attribute("src")
    assert re.fullmatch(r"/api/apps/communities/images/\d+", src), src

    mine = page.context.request.get(f"{base_url}{src}")
    assert (mine.status, mine.headers["content-type"]) == (200, "image/png")
    assert mine.body() == picture.read_bytes()

    # Someone with the app who is not in the private group, and nobody signed in: 404, no picture.
    eve = _person(browser, base_url, "Eve Outsider")
    refused = eve.page.context.request.get(f"{base_url}{src}")
    assert refused.status == 404 and picture.read_bytes() not in refused.body()
    eve.page.goto(f"/apps/communities/{slug}")
    expect(eve.page.get_by_role("heading", name="That group is not open to you")).to_be_visible()
    expect(eve.page.get_by_role("img", name="A round loaf on a wooden board")).to_have_count(0)
    anonymous = browser.new_context(base_url=base_url)
    assert anonymous.request.get(f"{base_url}{src}").status == 404
    for context in (anonymous, eve.page.context, page.context):
        context.close()


def test_files_that_are_not_images_are_refused_beside_the_picker(base_url: str, browser: Browser):
    ann = _person(browser, base_url, "Ann Uploads")
    slug = _group("Sketches", owner=ann.id)
    page = ann.page
    page.goto(f"/apps/communities/{slug}")
    error = page.locator("#post-image-error")
    before = _stored_images()
    for name, mime, data in (
        ("drawing.png", "image/png", SVG),
        ("page.png", "image/png", HTML),
        ("drawing.svg", "image/svg+xml", SVG),
    ):
        _picker(page).set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
        page.get_by_role("button", name="Add image").click()
        expect(error).not_to_have_text("")
        if name.endswith(".png"):
            expect(error).to_have_text(NOT_AN_IMAGE)
        expect(page.get_by_text(re.compile(r"^Image: "))).to_have_count(0)
        expect(page.get_by_label("Describe the image (for people who cannot see it)")).to_have_count(0)
    assert _stored_images() == before
    # A post after the refusals carries no image.
    page.get_by_label("Your post").fill("Words only today.")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("Words only today.")).to_be_visible()
    expect(page.locator("article img")).to_have_count(0)
    page.context.close()


# --- 3. editing my post ------------------------------------------------------------------------------------


def test_editing_my_post_in_place(base_url: str, browser: Browser):
    slug = _group("Editors")
    ann, bob = _person(browser, base_url, "Ann Editor"), _person(browser, base_url, "Bob Onlooker")
    _join(slug, ann, bob)
    _seed_post(slug, ann, "Frist loaf", body="It rose, sort of.")
    page = ann.page
    page.goto(f"/apps/communities/{slug}")
    page.get_by_role("button", name="Edit post: Frist loaf").click()
    expect(page.get_by_label("New title")).to_have_value("Frist loaf")
    expect(page.get_by_label("New text")).to_have_value("It rose, sort of.")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Save post")).to_have_count(0)
    expect(page.get_by_text("It rose, sort of.")).to_be_visible()

    page.get_by_role("button", name="Edit post: Frist loaf").click()
    page.get_by_label("New title").fill("First loaf")
    page.get_by_label("New text").fill("")
    page.get_by_role("button", name="Save post").click()
    expect(page.locator("#edit-body-error")).to_have_text("Write your post first.")
    page.get_by_label("New text").fill("It **rose** twice as high.")
    assert_no_violations(page, "a post's edit form")
    page.get_by_role("button", name="Save post").click()
    expect(page.get_by_text("Post saved.")).to_be_visible()
    post = page.get_by_role("article").filter(has=page.get_by_role("heading", name="First loaf"))
    expect(post.get_by_text("(edited)")).to_be_visible()
    expect(post.locator("strong")).to_have_text("rose")
    expect(page.get_by_role("heading", name="Frist loaf")).to_have_count(0)

    # Another member sees the edit, marked, and no Edit button.
    bob.page.goto(f"/apps/communities/{slug}")
    post = bob.page.get_by_role("article").filter(has=bob.page.get_by_role("heading", name="First loaf"))
    expect(post.get_by_text("(edited)")).to_be_visible()
    expect(bob.page.get_by_role("button", name=re.compile(r"^Edit post"))).to_have_count(0)
    for person in (ann, bob):
        person.page.context.close()


# --- 4. replies and likes on comments ------------------------------------------------------------------------


def test_replying_to_liking_and_editing_comments(base_url: str, browser: Browser):
    slug = _group("Threads")
    ann, bob = _person(browser, base_url, "Ann Asker"), _person(browser, base_url, "Bob Answerer")
    _join(slug, ann, bob)
    post_id = _seed_post(slug, ann, "Starter help", body="My starter is flat.")
    posts.add_comment(bob.id, slug, post_id, body="Feed it twice a day.")
    page = ann.page
    page.goto(f"/apps/communities/{slug}/post/{post_id}")
    comments = page.get_by_role("list", name="Comments")
    bobs = comments.get_by_role("listitem").filter(has_text="Feed it twice a day.")
    expect(bobs).to_be_visible()

    like = page.get_by_role("button", name="Like what Bob Answerer wrote (0 likes)")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    unlike = page.get_by_role("button", name="Unlike what Bob Answerer wrote (1 like)")
    expect(unlike).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Reply to Bob Answerer").click()
    page.get_by_label("Your reply to Bob Answerer").fill("Thanks, and how warm?")
    assert_no_violations(page, "a post with a reply form open")
    page.get_by_role("button", name="Send reply").click()
    replies = bobs.get_by_role("list", name="Replies")
    expect(replies.get_by_text("Thanks, and how warm?")).to_be_visible()
    expect(page.get_by_label("Your reply to Bob Answerer")).to_have_count(0)
    # The reply is under Bob's comment, not a comment of its own.
    expect(comments.locator(":scope > li")).to_have_count(1)

    # Bob sees the reply and the like, edits his comment.
    bob.page.goto(f"/apps/communities/{slug}/post/{post_id}")
    expect(bob.page.get_by_role("list", name="Replies").get_by_text("Thanks, and how warm?")).to_be_visible()
    expect(bob.page.get_by_role("button", name="Like what Bob Answerer wrote (1 like)")).to_be_visible()
    expect(bob.page.get_by_role("button", name="Edit what Ann Asker wrote")).to_have_count(0)
    bob.page.get_by_role("button", name="Edit what Bob Answerer wrote").click()
    expect(bob.page.get_by_label("Edit your comment")).to_have_value("Feed it twice a day.")
    bob.page.get_by_label("Edit your comment").fill("Feed it twice a day, at 26 degrees.")
    bob.page.get_by_role("button", name="Save comment").click()
    mine = bob.page.get_by_role("list", name="Comments").get_by_role("listitem").first
    expect(mine.get_by_text("Feed it twice a day, at 26 degrees.")).to_be_visible()
    expect(mine.get_by_text("(edited)").first).to_be_visible()

    # Ann's page follows the group: the edit arrives without a reload.
    expect(comments.get_by_text("Feed it twice a day, at 26 degrees.")).to_be_visible(timeout=LIVE_MS)
    for person in (ann, bob):
        person.page.context.close()


# --- 5. a mention email ------------------------------------------------------------------------------------


def test_a_mention_emails_the_person_with_a_working_link(base_url: str, browser: Browser):
    slug = _group("Mentions")
    ann = _person(browser, base_url, "Ann Poster")
    bob = _person(browser, base_url, "Bob Mentioner")
    cara = _person(browser, base_url, "Cara Wright")
    _join(slug, ann, bob, cara)
    post_id = _seed_post(slug, ann, "Proofing times", body="How long do you proof?")
    bob.page.goto(f"/apps/communities/{slug}/post/{post_id}")
    bob.page.get_by_label("Your comment").fill(f"Overnight in the fridge. @{cara.name} does it by the stove.")
    bob.page.get_by_role("button", name="Comment", exact=True).click()
    expect(bob.page.get_by_role("list", name="Comments").get_by_text("Overnight in the fridge.")).to_be_visible()

    to_cara = wait_for_email(base_url, cara.email)
    assert to_cara["subject"] == "Bob Mentioner mentioned you in “Proofing times”"
    to_ann = wait_for_email(base_url, ann.email)
    assert to_ann["subject"] == "Bob Mentioner replied in “Proofing times”"
    assert mailbox(base_url, bob.email) == []

    # Cara reads it in the dev mailbox and follows its link to the thread.
    page = cara.page
    page.goto(f"{mailbox_base(base_url)}/dev/mailbox")
    page.get_by_role("link", name="Bob Mentioner mentioned you in “Proofing times”").first.click()
    expect(page.get_by_role("heading", name="Bob Mentioner mentioned you in “Proofing times”")).to_be_visible()
    text = page.locator("pre").inner_text()
    assert "Overnight in the fridge." in text
    link = re.search(r"Read the thread: (\S+)", text).group(1)
    assert link == f"{base_url}/apps/communities/{slug}/post/{post_id}"
    page.goto(link)
    expect(page.get_by_role("heading", name="Proofing times")).to_be_visible()
    expect(page.get_by_role("list", name="Comments").get_by_text("Overnight in the fridge.")).to_be_visible()
    for person in (ann, bob, cara):
        person.page.context.close()


# --- 6. live: a refresh keeps the older posts shown ----------------------------------------------------------


def test_a_live_refresh_keeps_the_older_posts_shown(base_url: str, browser: Browser):
    slug = _group("Busy")
    ann, bob = _person(browser, base_url, "Ann Scroller"), _person(browser, base_url, "Bob Poster")
    _join(slug, ann, bob)
    start = clock.now() - timedelta(days=1)
    for n in range(25):
        _seed_post(slug, bob, f"Post {n:02d}", at=start + timedelta(minutes=n))
    page = ann.page
    page.goto(f"/apps/communities/{slug}")
    articles = page.get_by_role("article")
    expect(articles).to_have_count(posts.PAGE_SIZE)
    page.get_by_role("button", name="Show older posts").click()
    expect(articles).to_have_count(25)
    expect(page.get_by_role("heading", name="Post 00")).to_be_visible()

    bob.page.goto(f"/apps/communities/{slug}")
    bob.page.get_by_label("Your post").fill("Fresh out of the oven")
    bob.page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("Fresh out of the oven")).to_be_visible(timeout=LIVE_MS)
    expect(articles).to_have_count(26)
    expect(page.get_by_role("heading", name="Post 00")).to_be_visible()
    for person in (ann, bob):
        person.page.context.close()


def test_an_edit_in_progress_survives_a_new_post_arriving_live(base_url: str, browser: Browser):
    slug = _group("Drafts")
    ann, bob = _person(browser, base_url, "Ann Reviser"), _person(browser, base_url, "Bob Interrupter")
    _join(slug, ann, bob)
    _seed_post(slug, ann, "Work in progress", body="First draft.")
    bob.page.goto(f"/apps/communities/{slug}")
    page = ann.page
    page.goto(f"/apps/communities/{slug}")
    page.get_by_role("button", name="Edit post: Work in progress").click()
    page.get_by_label("New text").fill("A much better second draft, typed with care.")
    bob.page.get_by_label("Your post").fill("Meanwhile, a new post")
    bob.page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("Meanwhile, a new post")).to_be_visible(timeout=LIVE_MS)
    expect(page.get_by_label("New text")).to_have_value("A much better second draft, typed with care.")
    for person in (ann, bob):
        person.page.context.close()


# --- 7. screenshots ----------------------------------------------------------------------------------------


def test_screenshots_of_the_feed_a_thread_and_the_moderation_queue(base_url: str, browser: Browser, screenshots_dir):
    mo = _person(browser, base_url, "Maria Fernanda Oliveira-Santos")
    ann, bob = _person(browser, base_url, "Ann Baker"), _person(browser, base_url, "Bob Crumb")
    slug = _group(
        "Sourdough Circle",
        description="Starters, crumb shots and bake-along weekends. Be kind, share your failures too.",
    )
    _channels(slug, "Recipes", "Events", "Troubleshooting")
    _join(slug, ann, bob)
    _join(slug, mo, role="moderator")
    loaf = images.store_image(io.BytesIO(_png(640, 360, seed=3))).name
    crumb = posts.create_post(
        ann.id,
        slug,
        "recipes",
        title="Open crumb at last: 78% hydration country loaf",
        body="After **three weeks** of flat loaves:\n\n- 78% hydration\n- 4 folds, 30 minutes apart\n- "
        "overnight in the fridge\n\nThe recipe: https://example.com/a-very-long-link-to-a-recipe-page-that-goes-on",
        image=loaf,
        image_alt="A country loaf cut open, showing large irregular holes",
    )
    posts.create_post(bob.id, slug, "events", title="Bake-along on Saturday", body="Bring your starter. 10:00 sharp.")
    rules = posts.create_post(mo.id, slug, "general", title="Group rules", body="Be kind. No selling.")
    moderation.set_post_flag(mo.id, slug, rules, "pinned", True)
    spam = posts.create_post(bob.id, slug, "general", title="Cheap flour!!!", body="Click here for deals")
    first = posts.add_comment(bob.id, slug, crumb, body="Gorgeous crumb! What flour did you use?")
    posts.add_comment(ann.id, slug, crumb, body="A strong bread flour, 10% whole wheat.", parent_id=first)
    posts.add_comment(mo.id, slug, crumb, body="Pinning this one for the next bake-along.")
    rude = posts.add_comment(bob.id, slug, crumb, body="Mine was better honestly, yours looks underproofed.")
    posts.toggle_comment_like(ann.id, slug, first)
    posts.toggle_post_like(bob.id, slug, crumb)
    moderation.report(ann.id, slug, spam, reason="Spam: selling flour in the group")
    moderation.report(ann.id, slug, crumb, reason="Unkind comment", comment_id=rude)

    page = mo.page
    overflowing = []
    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.goto(f"/apps/communities/{slug}")
        expect(page.get_by_role("heading", name="Open crumb at last: 78% hydration country loaf")).to_be_visible()
        expect(page.get_by_role("navigation", name="Channels")).to_be_visible()
        page.get_by_role(
            "img", name="A country loaf cut open, showing large irregular holes"
        ).scroll_into_view_if_needed()
        _images_loaded(page)
        page.evaluate("window.scrollTo(0, 0)")
        if not _no_horizontal_overflow(page):
            overflowing.append(f"feed-{size}")
        page.screenshot(path=screenshots_dir / f"communities-feed-{size}.png", full_page=True)

        page.goto(f"/apps/communities/{slug}/post/{crumb}")
        expect(page.get_by_role("list", name="Replies").get_by_text("A strong bread flour")).to_be_visible()
        _images_loaded(page)
        page.get_by_role("button", name="Reply to Bob Crumb").first.click()
        expect(page.get_by_label("Your reply to Bob Crumb")).to_be_visible()
        if not _no_horizontal_overflow(page):
            overflowing.append(f"post-{size}")
        page.screenshot(path=screenshots_dir / f"communities-post-{size}.png", full_page=True)

        page.goto(f"/apps/communities/{slug}/moderation")
        expect(page.get_by_role("list", name="Open reports").get_by_role("listitem")).to_have_count(2)
        if not _no_horizontal_overflow(page):
            overflowing.append(f"moderation-{size}")
        page.screenshot(path=screenshots_dir / f"communities-moderation-{size}.png", full_page=True)
    assert_no_violations(page, "the moderation queue with two reports")
    assert overflowing == [], f"wider than the screen: {overflowing}"
    for person in (mo, ann, bob):
        person.page.context.close()
