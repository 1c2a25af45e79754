"""Communities' staff pages in the browser, as the business owner uses them: a group's details, cover and
channels (/admin/apps/communities/groups/<slug>), its members (.../members) and the moderation queue of
every group (/admin/apps/communities/reports), each checked from a member's own browser: what staff
change is what the member sees, live in an open tab where the product says so, or after a reload.
The pages work by keyboard, pass axe, and are photographed on a desktop and a phone.

Staff sign in with the owner account and an emailed code (tests/e2e/support.py's admin_log_in). Members,
memberships and seeded posts are made from the test process in the server's database (the helpers of
test_communities_features.py); everything checked is what a person sees.
"""

from __future__ import annotations

import io
import re
import secrets
import time

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups, moderation, owner, posts
from portal_app.apps.communities.models import Channel, CommunityGroup, GroupMember, Post, Report
from portal_app.apps.communities.owner_members import PAGE_SIZE as MEMBERS_PAGE_SIZE
from portal_app.apps.communities.ui.owner_group_page import COVER_UPLOAD
from portal_app.kernel import db
from tests.e2e.support import admin_log_in, create_account, create_owner, new_email
from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_communities_features import (
    VIEWPORTS,
    Person,
    _group_id,
    _images_loaded,
    _join,
    _no_horizontal_overflow,
    _person,
    _png,
    _seed_post,
)

ADMIN = "/admin/apps/communities"
LIVE_MS = 5000
NOT_OPEN = "That group is not open to you"


# --- helpers ----------------------------------------------------------------------------------------------


def _staff(page: Page, base_url: str) -> None:
    """A new owner account, signed in to the admin area in `page` (password, then the emailed code)."""
    email = new_email("staff")
    create_owner(email, "Sam Staff")
    admin_log_in(page, base_url, email)


def _status(page: Page):
    """The page's notice (a callout with role=status)."""
    return page.get_by_role("status").filter(has_text=re.compile(r"\S"))


def _manage(page: Page, name: str, slug: str) -> None:
    """From the groups list, open a group's admin page by its "Manage <name>" link."""
    page.goto(ADMIN)
    page.get_by_role("link", name=f"Manage {name}", exact=True).click()
    page.wait_for_url(re.compile(rf".*{ADMIN}/groups/{slug}/?$"))
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def _open_feed(person: Person, slug: str, name: str) -> None:
    person.page.goto(f"/apps/communities/{slug}")
    expect(person.page.get_by_role("heading", name=name, level=1)).to_be_visible()


def _cover_image(page: Page, slug: str):
    return page.locator(f'img[src^="/api/apps/communities/covers/{slug}?v="]')


def _channel_links(page: Page):
    return page.get_by_role("navigation", name="Channels").get_by_role("link")


def _channel_slugs(slug: str) -> list[str]:
    with db.read_session() as session:
        return list(
            session.exec(select(Channel.slug).where(Channel.group_id == _group_id(slug)).order_by(Channel.position))
        )


def _report_heading(page: Page, text: str) -> str:
    """The label ("Report 12") of the one listed report whose card contains `text`."""
    card = page.get_by_role("list", name="Reports").get_by_role("listitem").filter(has_text=text)
    expect(card).to_have_count(1)
    return card.get_by_role("heading").inner_text()


def _show_reports(page: Page, *, group: str, status: str) -> None:
    page.get_by_label("Group", exact=True).select_option(label=group)
    page.get_by_role("combobox", name="Reports").select_option(label=status)
    page.get_by_role("button", name="Show reports").click()


def _open_reports_by(member: Person) -> int:
    with db.read_session() as session:
        return len(session.exec(select(Report.id).where(Report.reporter_id == member.id)).all())


def _report_from_the_feed(member: Person, title: str, reason: str) -> None:
    """Report a post from the member's feed (its Report button, a reason, Send report)."""
    page = member.page
    before = _open_reports_by(member)
    page.get_by_role("button", name=f"Report post: {title}").click()
    page.get_by_label("Why are you reporting it?").fill(reason)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you: the group's moderators will look at it.")).to_be_visible()
    # The thank-you stays from an earlier report: the row in the database says this one was stored.
    deadline = time.monotonic() + 10
    while _open_reports_by(member) == before:
        assert time.monotonic() < deadline, f"{member.name}'s report of {title!r} was not stored"
        time.sleep(0.1)
    page.keyboard.press("Escape")
    expect(page.get_by_label("Why are you reporting it?")).to_have_count(0)


# --- 1. a group's details, cover and channels ---------------------------------------------------------------


def test_the_owner_creates_and_edits_a_group_and_a_member_sees_each_change(
    page: Page, base_url: str, browser: Browser, tmp_path
):
    _staff(page, base_url)
    name = f"Potters {secrets.token_hex(3)}"
    page.goto(ADMIN)
    page.get_by_label("Group name").fill(name)
    page.get_by_label("Description").fill("Clay, wheels and kilns.")
    page.get_by_role("button", name="Create group").click()
    created = page.get_by_text(re.compile(r"^Created the group at /apps/communities/[a-z0-9-]+\.$"))
    expect(created).to_be_visible()
    slug = re.search(r"/apps/communities/([a-z0-9-]+)\.$", created.inner_text()).group(1)

    mia = _person(browser, base_url, "Mia Potter")
    _join(slug, mia)
    _open_feed(mia, slug, name)
    # Nia is not a member: she reads the public group.
    nia = _person(browser, base_url, "Nia Passerby")
    _open_feed(nia, slug, name)
    expect(mia.page.get_by_text("Clay, wheels and kilns.")).to_be_visible()
    expect(mia.page.get_by_label("Your post")).to_be_visible()

    _manage(page, name, slug)
    expect(page.get_by_label("Group name")).to_have_value(name)
    expect(page.get_by_label("Address")).to_have_value(slug)
    expect(page.get_by_label("Description")).to_have_value("Clay, wheels and kilns.")
    expect(page.get_by_label("Who can see it")).to_have_value("public")
    expect(page.get_by_label("Who can post")).to_have_value("everyone")
    assert_no_violations(page, "a group's admin page")

    # A refused field: its message beside it, nothing saved.
    page.get_by_label("Group name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#name-error")).to_have_text("Give the group a name.")
    expect(_status(page)).to_have_text("Nothing was saved. Correct the fields marked below.")
    expect(mia.page.get_by_role("heading", name=name, level=1)).to_be_visible()

    page.get_by_label("Group name").fill(name)
    # Private: Nia's open tab (she is no member) loses the group at once; Mia's keeps it. Public again after.
    page.get_by_label("Who can see it").select_option("private")
    page.get_by_role("button", name="Save changes").click()
    expect(_status(page)).to_have_text("Group saved.")
    expect(nia.page.get_by_role("heading", name=NOT_OPEN)).to_be_visible(timeout=LIVE_MS)
    expect(nia.page.get_by_text("Clay, wheels and kilns.")).to_have_count(0)
    nia.page.reload()
    expect(nia.page.get_by_role("heading", name=NOT_OPEN)).to_be_visible()
    nia.page.context.close()
    expect(mia.page.get_by_role("heading", name=name, level=1)).to_be_visible()
    page.get_by_label("Who can see it").select_option("public")
    page.get_by_role("button", name="Save changes").click()
    expect(_status(page)).to_have_text("Group saved.")
    expect(page.get_by_text("Public", exact=True)).to_be_visible()

    # Name, description and posting rule: saved, and Mia's open tab follows without a reload.
    new_name = f"Potters Guild {secrets.token_hex(3)}"
    page.get_by_label("Group name").fill(new_name)
    page.get_by_label("Description").fill("Wheel throwing, glazes and shared kiln days.")
    page.get_by_label("Who can post").select_option("admins")
    page.get_by_role("button", name="Save changes").click()
    expect(_status(page)).to_have_text("Group saved.")
    expect(page.get_by_role("heading", name=new_name, level=1)).to_be_visible()
    expect(page.locator("#name-error")).to_have_text("")
    expect(page.get_by_label("Who can post")).to_have_value("admins")
    expect(mia.page.get_by_role("heading", name=new_name, level=1)).to_be_visible(timeout=LIVE_MS)
    expect(mia.page.get_by_text("Wheel throwing, glazes and shared kiln days.")).to_be_visible()
    # Admins only post now: Mia (a member) has no composer.
    expect(mia.page.get_by_label("Your post")).to_have_count(0)
    name = new_name

    # A cover: uploaded from a file on disk, shown on the admin page and on Mia's group page.
    picture = tmp_path / "kiln-cover.png"
    picture.write_bytes(_png(320, 120, seed=11))
    expect(page.get_by_text("No cover yet.")).to_be_visible()
    page.get_by_label("New cover image").set_input_files(picture)
    expect(page.get_by_text("kiln-cover.png")).to_be_visible()
    page.get_by_role("button", name="Upload cover").click()
    expect(_status(page)).to_have_text("Cover uploaded.")
    expect(page.get_by_role("img", name="The group's cover")).to_be_visible()
    expect(_cover_image(page, slug)).to_have_count(1)
    mia.page.reload()
    cover = _cover_image(mia.page, slug)
    expect(cover).to_be_visible()
    _images_loaded(mia.page)
    assert cover.evaluate("(img) => img.naturalWidth") == 320
    fetched = mia.page.context.request.get(f"{base_url}{cover.get_attribute('src')}")
    assert (fetched.status, fetched.headers["content-type"]) == (200, "image/png")
    assert fetched.body() == picture.read_bytes()

    page.get_by_role("button", name="Remove cover").click()
    expect(_status(page)).to_have_text("Cover removed.")
    expect(page.get_by_text("No cover yet.")).to_be_visible()
    mia.page.reload()
    expect(mia.page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(mia.page.locator('img[src^="/api/apps/communities/covers/"]')).to_have_count(0)

    # Channels. The first one is added by keyboard only: type, Tab to "Add channel", Enter.
    channel_list = page.get_by_role("list", name="Channels")
    expect(channel_list.get_by_role("listitem")).to_have_count(1)
    page.get_by_label("New channel name").focus()
    page.keyboard.type("Glazes")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add channel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(_status(page)).to_have_text("Channel added at the address glazes.")
    expect(page.get_by_label("New channel name")).to_have_value("")
    expect(_channel_links(mia.page)).to_have_text(["All channels", "General", "Glazes"], timeout=LIVE_MS)

    page.get_by_label("New channel name").fill("Kilns")
    page.get_by_role("button", name="Add channel").click()
    expect(_status(page)).to_have_text("Channel added at the address kilns.")
    page.get_by_label("New channel name").fill("kilns")
    page.get_by_role("button", name="Add channel").click()
    expect(page.locator("#channel_name-error")).to_have_text("This group already has a channel called Kilns.")
    expect(_channel_links(mia.page)).to_have_text(["All channels", "General", "Glazes", "Kilns"], timeout=LIVE_MS)

    # Renamed: the name changes, the address stays.
    page.get_by_label("New name for Glazes").fill("Glazes and Slips")
    page.get_by_role("button", name="Rename channel: Glazes", exact=True).click()
    expect(_status(page)).to_have_text("Channel renamed.")
    expect(_channel_links(mia.page)).to_have_text(
        ["All channels", "General", "Glazes and Slips", "Kilns"], timeout=LIVE_MS
    )
    expect(mia.page.get_by_role("link", name="Glazes and Slips")).to_have_attribute(
        "href", f"/apps/communities/{slug}/glazes"
    )

    # Moved: the first cannot go up, the last cannot go down.
    expect(page.get_by_role("button", name="Move up: General")).to_be_disabled()
    expect(page.get_by_role("button", name="Move down: Kilns")).to_be_disabled()
    page.get_by_role("button", name="Move up: Kilns").click()
    expect(_status(page)).to_have_text("Channel moved.")
    expect(_channel_links(mia.page)).to_have_text(
        ["All channels", "General", "Kilns", "Glazes and Slips"], timeout=LIVE_MS
    )
    page.get_by_role("button", name="Move down: General").click()
    expect(_status(page)).to_have_text("Channel moved.")
    expect(_channel_links(mia.page)).to_have_text(
        ["All channels", "Kilns", "General", "Glazes and Slips"], timeout=LIVE_MS
    )
    assert _channel_slugs(slug) == ["kilns", "general", "glazes"]

    # Deleted, after asking: "Keep it" keeps it; "Yes, remove it" moves its posts to General.
    _seed_post(slug, mia, "Cone 6 firing schedule", channel="kilns")
    page.reload()
    expect(page.get_by_role("list", name="Channels").get_by_text("1 post")).to_be_visible()
    page.get_by_role("button", name="Delete channel: Kilns").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Kilns")
    page.get_by_role("button", name="Keep it").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name="Delete channel: Kilns")).to_be_visible()
    expect(page.get_by_role("button", name="Delete channel: General")).to_have_count(0)
    page.get_by_role("button", name="Delete channel: Kilns").click()
    page.get_by_role("button", name="Yes, remove it").click()
    expect(_status(page)).to_have_text("Channel deleted; its posts (1) moved to General.")
    expect(_channel_links(mia.page)).to_have_text(["All channels", "General", "Glazes and Slips"], timeout=LIVE_MS)
    mia.page.get_by_role("link", name="General", exact=True).click()
    mia.page.wait_for_url(re.compile(rf".*/apps/communities/{slug}/general/?$"))
    expect(mia.page.get_by_role("heading", name="Cone 6 firing schedule")).to_be_visible()
    assert_no_violations(page, "a group's admin page with its channels")

    # Archived: gone from Mia's My groups; restored: back.
    page.get_by_role("button", name="Archive group").click()
    expect(_status(page)).to_have_text("Group archived: members can read it but not post.")
    expect(page.get_by_role("button", name="Restore group")).to_be_visible()
    mia.page.goto("/apps/communities")
    expect(mia.page.get_by_role("heading", name="Communities", exact=True)).to_be_visible()
    expect(mia.page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    page.get_by_role("button", name="Restore group").click()
    expect(_status(page)).to_have_text("Group restored.")
    expect(page.get_by_role("button", name="Archive group")).to_be_visible()
    mia.page.reload()
    expect(mia.page.get_by_role("link", name=name, exact=True)).to_be_visible()

    # A new address: refused when malformed, else the page moves to it (and so does the member's link).
    page.get_by_label("Address").fill("Not an address!")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#slug-error")).not_to_have_text("")
    new_slug = f"{slug}-studio"
    page.get_by_label("Address").fill(new_slug)
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(rf".*{ADMIN}/groups/{new_slug}/?$"))
    expect(page.get_by_label("Address")).to_have_value(new_slug)
    _open_feed(mia, new_slug, name)
    mia.page.context.close()


def test_a_new_cover_reaches_a_members_open_tab_live(page: Page, base_url: str, browser: Browser, tmp_path):
    """The group page follows every change of its group live (a new name arrives without a reload), so a new
    cover should too."""
    _staff(page, base_url)
    name = f"Weavers {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name)
    mia = _person(browser, base_url, "Mia Weaver")
    _join(slug, mia)
    _open_feed(mia, slug, name)
    _manage(page, name, slug)
    picture = tmp_path / "loom.png"
    picture.write_bytes(_png(300, 100, seed=5))
    page.get_by_label("New cover image").set_input_files(picture)
    page.get_by_role("button", name="Upload cover").click()
    expect(_status(page)).to_have_text("Cover uploaded.")
    try:
        expect(_cover_image(mia.page, slug)).to_be_visible(timeout=LIVE_MS)
    finally:
        mia.page.context.close()


def test_the_group_admin_page_works_by_keyboard(page: Page, base_url: str, browser: Browser, tmp_path):
    """Details, cover, channels: every change made with Tab, Enter and typing only."""
    name = f"Typists {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name)
    _staff(page, base_url)
    # The file chooser the cover picker opens answers with the picture. (Listening from the start: Playwright
    # turns on catching file choosers without waiting for the browser, so expect_file_chooser could miss it.)
    picture = tmp_path / "keys.png"
    picture.write_bytes(_png(200, 80, seed=2))
    page.on("filechooser", lambda chooser: chooser.set_files(picture))
    _manage(page, name, slug)
    keys = page.keyboard

    # Details: Enter in a field submits its form.
    page.get_by_label("Description").focus()
    keys.type("Touch typing club.")
    page.get_by_label("Group name").focus()
    keys.press("End")
    keys.type(" Club")
    keys.press("Enter")
    expect(_status(page)).to_have_text("Group saved.")
    expect(page.get_by_role("heading", name=f"{name} Club", level=1)).to_be_visible()

    # Cover: the picker opens with Enter, Tab reaches "Upload cover".
    page.get_by_role("button", name="Upload cover").focus()
    keys.press("Shift+Tab")
    expect(page.locator(f"#{COVER_UPLOAD}")).to_be_focused()
    keys.press("Enter")
    expect(page.get_by_text("keys.png")).to_be_visible()
    page.get_by_role("button", name="Upload cover").focus()
    keys.press("Enter")
    expect(_status(page)).to_have_text("Cover uploaded.")

    # Channels: add (Tab to the button, Enter), rename (Enter in its field), move and delete.
    for channel in ("Drills", "Races"):
        page.get_by_label("New channel name").focus()
        keys.type(channel)
        keys.press("Tab")
        expect(page.get_by_role("button", name="Add channel")).to_be_focused()
        keys.press("Enter")
        expect(_status(page)).to_have_text(f"Channel added at the address {channel.lower()}.")
    page.get_by_label("New name for Drills").focus()
    keys.press("End")
    keys.type(" and warm-ups")
    keys.press("Enter")
    expect(_status(page)).to_have_text("Channel renamed.")
    expect(page.get_by_label("New name for Drills and warm-ups")).to_have_value("Drills and warm-ups")
    page.get_by_role("button", name="Move up: Races").focus()
    keys.press("Enter")
    expect(_status(page)).to_have_text("Channel moved.")
    assert _channel_slugs(slug) == ["general", "races", "drills"]
    page.get_by_role("button", name="Delete channel: Races").focus()
    keys.press("Enter")
    expect(page.get_by_role("alertdialog")).to_be_visible()
    expect(page.get_by_role("button", name="Keep it")).to_be_focused()
    keys.press("Tab")
    expect(page.get_by_role("button", name="Yes, remove it")).to_be_focused()
    keys.press("Enter")
    expect(_status(page)).to_have_text("Channel deleted.")
    assert _channel_slugs(slug) == ["general", "drills"]
    assert_no_violations(page, "a group's admin page after keyboard changes")


# --- 2. members ----------------------------------------------------------------------------------------------


def test_the_owner_adds_a_member_makes_them_moderator_and_bans_them(page: Page, base_url: str, browser: Browser):
    _staff(page, base_url)
    name = f"Climbers {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name, description="Bouldering on Tuesdays.")
    mia = _person(browser, base_url, "Mia Climber")
    # Not a member yet: Mia reads the public group, has no composer and no moderation queue.
    _open_feed(mia, slug, name)
    expect(mia.page.get_by_label("Your post")).to_have_count(0)

    _manage(page, name, slug)
    page.get_by_role("link", name="Members (0)").click()
    page.wait_for_url(re.compile(rf".*{ADMIN}/groups/{slug}/members/?$"))
    expect(page.get_by_role("heading", name=f"Members: {name}")).to_be_visible()
    expect(page.get_by_text("Nobody here matches.")).to_be_visible()
    assert_no_violations(page, "a group's members admin page")

    # Refused: no such account.
    page.get_by_label("Email of the person to add").fill(new_email("nobody"))
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#email-error")).to_have_text("No account uses that email address.")

    # Added by email as a member: Mia's open tab gets the composer without a reload.
    page.get_by_label("Email of the person to add").fill(mia.email)
    page.get_by_label("Role", exact=True).select_option("member")
    page.get_by_role("button", name="Add member").click()
    expect(_status(page)).to_have_text("Added Mia Climber as member.")
    expect(page.get_by_label("Email of the person to add")).to_have_value("")
    row = page.get_by_role("row").filter(has_text=mia.email)
    expect(row).to_contain_text("Active")
    expect(page.get_by_text("1 active, 0 waiting for approval, 0 banned")).to_be_visible()
    expect(mia.page.get_by_label("Your post")).to_be_visible(timeout=LIVE_MS)
    expect(mia.page.get_by_role("link", name="Moderation queue")).to_have_count(0)

    page.get_by_label("Email of the person to add").fill(mia.email)
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#email-error")).to_have_text("Mia Climber is already a member (member).")

    # Made a moderator: Mia sees the moderation queue link (live), and it opens.
    page.get_by_label("Role of Mia Climber", exact=True).select_option("moderator")
    page.get_by_role("button", name="Save role of Mia Climber").click()
    expect(_status(page)).to_have_text("Mia Climber is moderator now.")
    expect(page.get_by_label("Role of Mia Climber", exact=True)).to_have_value("moderator")
    expect(mia.page.get_by_role("link", name="Moderation queue")).to_be_visible(timeout=LIVE_MS)
    mia.page.get_by_role("link", name="Moderation queue").click()
    mia.page.wait_for_url(re.compile(rf".*/apps/communities/{slug}/moderation/?$"))
    expect(mia.page.get_by_text("No open reports.")).to_be_visible()
    _open_feed(mia, slug, name)

    # The filter: nobody banned yet; found by part of the name.
    page.get_by_label("Show", exact=True).select_option("banned")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Nobody here matches.")).to_be_visible()
    page.get_by_label("Show", exact=True).select_option("all")
    page.get_by_label("Find by name or email").fill("climber")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("button", name="Ban Mia Climber")).to_be_visible()

    # Banned: Mia's open tab says the group is not open to her, live and after a reload.
    page.get_by_role("button", name="Ban Mia Climber").click()
    expect(_status(page)).to_have_text("Banned Mia Climber.")
    expect(page.get_by_text("0 active, 0 waiting for approval, 1 banned")).to_be_visible()
    expect(mia.page.get_by_role("heading", name=NOT_OPEN)).to_be_visible(timeout=LIVE_MS)
    expect(mia.page.get_by_role("heading", name=name, level=1)).to_have_count(0)
    mia.page.reload()
    expect(mia.page.get_by_role("heading", name=NOT_OPEN)).to_be_visible()
    # Banned people cannot be added back, nor removed (that would lift the ban).
    page.get_by_label("Email of the person to add").fill(mia.email)
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#email-error")).to_have_text(
        "Mia Climber is banned from this group. Reinstate them in the list first."
    )
    expect(page.get_by_role("button", name="Remove Mia Climber")).to_have_count(0)

    # Reinstated: back in; removed: out of the list, the public group readable again but no composer.
    page.get_by_role("button", name="Reinstate Mia Climber").click()
    expect(_status(page)).to_have_text("Reinstated Mia Climber.")
    mia.page.reload()
    expect(mia.page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(mia.page.get_by_role("link", name="Moderation queue")).to_be_visible()
    page.get_by_role("button", name="Remove Mia Climber").click()
    expect(_status(page)).to_have_text("Removed Mia Climber from the group.")
    expect(page.get_by_text("Nobody here matches.")).to_be_visible()
    expect(mia.page.get_by_label("Your post")).to_have_count(0, timeout=LIVE_MS)
    expect(mia.page.get_by_role("link", name="Moderation queue")).to_have_count(0)
    mia.page.context.close()


def test_requests_are_approved_or_declined_and_the_list_pages_by_fifty(page: Page, base_url: str):
    name = f"Choir {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name, visibility="private")
    tag = secrets.token_hex(3)
    # More members than one page holds (accounts without a password: nothing to hash).
    for n in range(MEMBERS_PAGE_SIZE + 1):
        account_id = create_account(new_email(f"singer{n}"), f"Singer {tag} {n:02d}", password=None)
        groups.join(account_id, slug)
    with db.write_session() as session:
        for member in session.exec(select(GroupMember).where(GroupMember.group_id == _group_id(slug))):
            member.status = "active"
            session.add(member)
    asking = {
        who: create_account(new_email(who.split()[0].lower()), who, password=None)
        for who in ("Ava Asker", "Dan Decline")
    }
    for account_id in asking.values():
        assert groups.join(account_id, slug) == "pending"

    _staff(page, base_url)
    page.goto(f"{ADMIN}/groups/{slug}/members")
    expect(page.get_by_role("heading", name=f"Members: {name}")).to_be_visible()
    expect(page.get_by_text(f"{MEMBERS_PAGE_SIZE + 1} active, 2 waiting for approval, 0 banned")).to_be_visible()
    body_rows = page.locator("tbody tr")
    expect(body_rows).to_have_count(MEMBERS_PAGE_SIZE)
    page.get_by_role("button", name="Show more members").click()
    expect(body_rows).to_have_count(MEMBERS_PAGE_SIZE + 3)
    expect(page.get_by_role("button", name="Show more members")).to_have_count(0)

    # A wildcard is taken literally.
    page.get_by_label("Find by name or email").fill("%")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Nobody here matches.")).to_be_visible()
    page.get_by_label("Find by name or email").fill("")
    page.get_by_label("Show", exact=True).select_option("pending")
    page.get_by_role("button", name="Filter").click()
    expect(body_rows).to_have_count(2)
    page.get_by_role("button", name="Approve Ava Asker").click()
    expect(_status(page)).to_have_text("Approved: Ava Asker is a member now.")
    page.get_by_role("button", name="Decline Dan Decline").click()
    expect(_status(page)).to_have_text("Declined the request of Dan Decline.")
    expect(page.get_by_text("Nobody here matches.")).to_be_visible()
    expect(page.get_by_text(f"{MEMBERS_PAGE_SIZE + 2} active, 0 waiting for approval, 0 banned")).to_be_visible()

    # Someone without the Communities app is added, and told where to give it.
    appless = new_email("appless")
    create_account(appless, "Pia Appless", password=None)
    page.get_by_label("Email of the person to add").fill(appless)
    page.get_by_role("button", name="Add member").click()
    expect(_status(page)).to_have_text(
        "Added Pia Appless as member. They cannot open Communities yet: give them the app on the Contacts page."
    )


# --- 3. the admin moderation queue ---------------------------------------------------------------------------


def test_staff_hide_show_and_delete_reported_posts_and_members_feeds_follow(
    page: Page, base_url: str, browser: Browser
):
    name = f"Gardeners {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name)
    ann = _person(browser, base_url, "Ann Seller")
    bea = _person(browser, base_url, "Bea Reporter")
    cara = _person(browser, base_url, "Cara Reader")
    _join(slug, ann, bea, cara)
    _seed_post(slug, ann, "Cheap seeds here", body="Click my link for deals")
    _seed_post(slug, ann, "You are all wrong", body="Rude words about everyone")
    _seed_post(slug, ann, "Tomato blight?", body="Brown spots on the leaves")
    for person in (bea, cara):
        _open_feed(person, slug, name)
        expect(person.page.get_by_role("heading", name="Cheap seeds here")).to_be_visible()

    # Bea reports three posts from her feed.
    _report_from_the_feed(bea, "Cheap seeds here", "Spam: selling seeds")
    _report_from_the_feed(bea, "You are all wrong", "Insults the group")
    _report_from_the_feed(bea, "Tomato blight?", "Wrong channel maybe")

    # Bea opens the first post on its own page.
    bea.page.get_by_role("link", name="Cheap seeds here").click()
    bea.page.wait_for_url(re.compile(rf".*/apps/communities/{slug}/post/\d+/?$"))
    expect(bea.page.get_by_role("heading", name="Cheap seeds here")).to_be_visible()

    _staff(page, base_url)
    page.goto(ADMIN)
    page.get_by_role("link", name=re.compile(r"^Moderation queue \(open reports: \d+\)$")).click()
    page.wait_for_url(re.compile(rf".*{ADMIN}/reports/?$"))
    expect(page.get_by_role("heading", name="Moderation queue", level=1)).to_be_visible()
    # From the group's own admin page, its "Open reports" link shows that group's queue.
    _manage(page, name, slug)
    page.get_by_role("link", name="Open reports (3)").click()
    page.wait_for_url(re.compile(rf".*{ADMIN}/reports\?group={slug}$"))
    expect(page.get_by_label("Group", exact=True)).to_have_value(slug)
    reports = page.get_by_role("list", name="Reports").get_by_role("listitem")
    expect(reports).to_have_count(3)
    _show_reports(page, group=name, status="Open")
    expect(reports).to_have_count(3)
    expect(page.get_by_text("Members' reports from every group, newest first. 3 open.")).to_be_visible()
    spam = _report_heading(page, "Cheap seeds here")
    rude = _report_heading(page, "You are all wrong")
    blight = _report_heading(page, "Tomato blight?")
    spam_card = reports.filter(has_text="Cheap seeds here")
    expect(spam_card).to_contain_text("Reported by Bea Reporter")
    expect(spam_card).to_contain_text("Spam: selling seeds")
    expect(spam_card).to_contain_text("Click my link for deals")
    assert_no_violations(page, "the admin moderation queue")

    # Hide: gone from both members' open feeds without a reload; the report is resolved.
    page.get_by_role("button", name=f"{spam}: hide", exact=True).click()
    expect(_status(page)).to_have_text("Hidden from members; its open reports are resolved.")
    expect(reports).to_have_count(2)
    expect(cara.page.get_by_role("heading", name="Cheap seeds here")).to_have_count(0, timeout=LIVE_MS)
    expect(cara.page.get_by_role("heading", name="Tomato blight?")).to_be_visible()
    expect(bea.page.get_by_role("heading", name="That post is not open to you")).to_be_visible(timeout=LIVE_MS)
    expect(bea.page.get_by_text("Click my link for deals")).to_have_count(0)
    _open_feed(bea, slug, name)
    expect(bea.page.get_by_role("heading", name="Cheap seeds here")).to_have_count(0)
    cara.page.reload()
    expect(cara.page.get_by_role("heading", name="Tomato blight?")).to_be_visible()
    expect(cara.page.get_by_role("heading", name="Cheap seeds here")).to_have_count(0)

    # Among the resolved reports, "show again" brings it back for the members.
    _show_reports(page, group=name, status="Resolved")
    expect(reports).to_have_count(1)
    expect(reports.first).to_contain_text("Hidden from members")
    page.get_by_role("button", name=f"{spam}: show again", exact=True).click()
    expect(_status(page)).to_have_text("Members see it again.")
    expect(cara.page.get_by_role("heading", name="Cheap seeds here")).to_be_visible(timeout=LIVE_MS)

    # Delete, after asking: the post goes from the feeds.
    _show_reports(page, group=name, status="Open")
    page.get_by_role("button", name=f"{rude}: delete", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_contain_text("The post goes, with its comments, likes and reports.")
    page.get_by_role("button", name="Keep it").click()
    page.get_by_role("button", name=f"{rude}: delete", exact=True).click()
    page.get_by_role("button", name="Yes, delete the post").click()
    expect(_status(page)).to_have_text("Deleted, with its reports.")
    for person in (bea, cara):
        expect(person.page.get_by_role("heading", name="You are all wrong")).to_have_count(0, timeout=LIVE_MS)
    with db.read_session() as session:
        assert session.exec(select(Post).where(Post.title == "You are all wrong")).first() is None

    # Dismissed: nothing changes for members.
    page.get_by_role("button", name=f"{blight}: dismiss", exact=True).click()
    expect(_status(page)).to_have_text("Report dismissed.")
    expect(page.get_by_text("No reports here.")).to_be_visible()
    expect(cara.page.get_by_role("heading", name="Tomato blight?")).to_be_visible()
    _show_reports(page, group=name, status="Dismissed")
    expect(reports).to_have_count(1)
    expect(reports.first).to_contain_text("Tomato blight?")
    for person in (ann, bea, cara):
        person.page.context.close()


# --- 4. screenshots ------------------------------------------------------------------------------------------


def test_screenshots_of_the_group_admin_page_its_members_and_the_queue(
    page: Page, base_url: str, browser: Browser, screenshots_dir
):
    maria = _person(browser, base_url, "Maria Fernanda Oliveira-Santos")
    ann = _person(browser, base_url, "Ann Baker")
    name = f"Sourdough Circle {secrets.token_hex(2)}"
    slug = groups.create_group(
        Actor("owner@example.com"),
        name=name,
        description="Starters, crumb shots and bake-along weekends. Be kind, share your failures too.",
    )
    _join(slug, ann)
    _join(slug, maria, role="moderator")
    owner.set_cover(Actor("owner@example.com"), slug, io.BytesIO(_png(1200, 300, seed=3)))
    with db.write_session() as session:
        group = session.exec(select(CommunityGroup).where(CommunityGroup.slug == slug)).one()
        for position, channel in enumerate(("Recipes", "Events and bake-along weekends", "Troubleshooting"), start=1):
            session.add(Channel(group_id=group.id, slug=channel.split()[0].lower(), name=channel, position=position))
    long_post = posts.create_post(
        ann.id,
        slug,
        "recipes",
        title="Open crumb at last: 78% hydration country loaf",
        body="After **three weeks** of flat loaves, see https://example.com/a-very-long-link-to-a-recipe-page-"
        "that-goes-on-and-on-without-any-spaces-at-all",
    )
    spam = posts.create_post(maria.id, slug, "general", title="Cheap flour!!!", body="Click here for deals")
    comment = posts.add_comment(maria.id, slug, long_post, body="Mine was better honestly, yours looks underproofed.")
    moderation.report(ann.id, slug, spam, reason="Spam: selling flour in the group")
    moderation.report(ann.id, slug, long_post, reason="Unkind comment", comment_id=comment)

    _staff(page, base_url)
    overflowing = []
    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.goto(f"{ADMIN}/groups/{slug}")
        expect(page.get_by_role("img", name="The group's cover")).to_be_visible()
        expect(page.get_by_role("list", name="Channels").get_by_role("listitem")).to_have_count(4)
        _images_loaded(page)
        if not _no_horizontal_overflow(page):
            overflowing.append(f"group-{size}")
        page.screenshot(path=screenshots_dir / f"communities-admin-group-{size}.png", full_page=True)

        page.goto(f"{ADMIN}/groups/{slug}/members")
        expect(page.get_by_role("button", name="Ban Maria Fernanda Oliveira-Santos")).to_be_visible()
        if not _no_horizontal_overflow(page):
            overflowing.append(f"members-{size}")
        page.screenshot(path=screenshots_dir / f"communities-admin-members-{size}.png", full_page=True)

        page.goto(f"{ADMIN}/reports?group={slug}")
        expect(page.get_by_role("list", name="Reports").get_by_role("listitem")).to_have_count(2)
        if not _no_horizontal_overflow(page):
            overflowing.append(f"queue-{size}")
        page.screenshot(path=screenshots_dir / f"communities-admin-queue-{size}.png", full_page=True)
    assert_no_violations(page, "the admin moderation queue on a phone")
    assert overflowing == [], f"wider than the screen: {overflowing}"
    for person in (maria, ann):
        person.page.context.close()


@pytest.mark.parametrize("path", ["", "/members"])
def test_a_group_admin_page_for_an_unknown_group_says_so(page: Page, base_url: str, path: str):
    _staff(page, base_url)
    page.goto(f"{ADMIN}/groups/no-such-group-{secrets.token_hex(3)}{path}")
    expect(page.get_by_role("heading", name="There is no such group")).to_be_visible()
