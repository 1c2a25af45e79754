"""Communities in the browser: join a public group, post (hostile text stays inert), another member sees
it, likes it and comments; a private group is refused to a non-member."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups
from tests.e2e.support import HOME, admin_log_in, create_account, create_owner, give_phone, log_in, new_email
from tests.e2e.test_accessibility import assert_no_violations

HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:alert(1))"


def _member(browser, base_url: str, name: str) -> Page:
    email = new_email(name.split()[0].lower())
    account_id = create_account(email, name, apps=("communities",))
    give_phone(account_id)
    page = browser.new_context(base_url=base_url).new_page()
    log_in(page, email=email)
    page.wait_for_url(HOME)
    return page


def test_join_post_like_and_comment(page: Page, base_url: str, browser):
    name = f"Bakers {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name, description="Bread talk.")
    dialogs: list[str] = []
    ann = _member(browser, base_url, "Ann Author")
    ann.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    ann.goto("/apps/communities")
    ann.get_by_role("button", name=f"Join {name}").click()
    expect(ann.get_by_text("You joined the group.")).to_be_visible()
    ann.get_by_role("link", name=name).click()
    ann.wait_for_url(re.compile(rf".*/apps/communities/{slug}/?$"))
    ann.get_by_role("button", name="Post", exact=True).click()
    expect(ann.locator("#body-error")).to_have_text("Write your post first.")
    ann.get_by_label("Title (optional)").fill("First loaf")
    ann.get_by_label("Your post").fill(f"It **rose**! {HOSTILE}")
    ann.get_by_role("button", name="Post", exact=True).click()
    expect(ann.get_by_text("Posted.")).to_be_visible()
    expect(ann.locator(".post-body").first).to_contain_text("<img src=x onerror=alert(1)>")
    assert_no_violations(ann, "a group's feed")

    bob = _member(browser, base_url, "Bob Reader")
    bob.goto(f"/apps/communities/{slug}")
    # Not a member yet: reads the public group, cannot post.
    expect(bob.get_by_role("heading", name="First loaf")).to_be_visible()
    expect(bob.get_by_label("Your post")).to_have_count(0)
    bob.goto("/apps/communities")
    bob.get_by_role("button", name=f"Join {name}").click()
    bob.goto(f"/apps/communities/{slug}")
    bob.get_by_role("button", name=re.compile(r"^Like")).first.click()
    expect(bob.get_by_role("button", name=re.compile(r"^Unlike \(1 like\)"))).to_be_visible()
    bob.get_by_role("link", name="First loaf").click()
    bob.wait_for_url(re.compile(rf".*/apps/communities/{slug}/post/\d+/?$"))
    bob.get_by_label("Your comment").fill("Looks great")
    bob.get_by_role("button", name="Comment").click()
    expect(bob.get_by_role("list", name="Comments").get_by_text("Looks great")).to_be_visible()
    assert_no_violations(bob, "a post")
    bob.get_by_label("Your comment").fill("Oops, wrong post")
    bob.get_by_role("button", name="Comment").click()
    expect(bob.get_by_text("Oops, wrong post")).to_be_visible()
    bob.get_by_role("button", name="Delete what Bob Reader wrote").last.click()
    expect(bob.get_by_text("Oops, wrong post")).to_have_count(0)

    ann.reload()
    expect(ann.get_by_role("link", name="1 comment")).to_be_visible()
    assert ann.locator(".post-body [onerror], .post-body script").count() == 0
    assert ann.locator(".post-body a[href^='javascript']").count() == 0
    assert dialogs == []
    ann.context.close()
    bob.context.close()


def test_a_private_group_is_refused_to_a_non_member(base_url: str, browser):
    slug = groups.create_group(Actor("owner@example.com"), name=f"Secret {secrets.token_hex(3)}", visibility="private")
    eve = _member(browser, base_url, "Eve Outsider")
    eve.goto(f"/apps/communities/{slug}")
    expect(eve.get_by_role("heading", name="That group is not open to you")).to_be_visible()
    eve.goto("/apps/communities")
    eve.get_by_role("button", name=re.compile(r"^Ask to join Secret")).click()
    expect(eve.get_by_text("You asked to join.", exact=False)).to_be_visible()
    eve.goto(f"/apps/communities/{slug}")
    expect(eve.get_by_role("heading", name="That group is not open to you")).to_be_visible()
    eve.context.close()


def test_the_owner_creates_a_group_and_a_member_finds_it(page: Page, base_url: str, browser):
    owner = new_email("groups")
    create_owner(owner)
    admin_log_in(page, base_url, owner)
    page.goto("/admin/apps/communities")
    page.get_by_role("button", name="Create group").click()
    expect(page.locator("#name-error")).to_have_text("Give the group a name.")
    name = f"Runners {secrets.token_hex(3)}"
    page.get_by_label("Group name").fill(name)
    page.get_by_label("Description").fill("Early morning runs.")
    page.get_by_label("Who can see it").select_option("private")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_text("Created the group at /apps/communities/", exact=False)).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(f"^{name}"))).to_be_visible()
    assert_no_violations(page, "the owner's Communities page")

    member = _member(browser, base_url, "Rita Runner")
    member.goto("/apps/communities")
    expect(member.get_by_role("button", name=f"Ask to join {name}")).to_be_visible()
    page.get_by_role("button", name=f"Archive {name}").click()
    expect(page.get_by_role("button", name=f"Restore {name}")).to_be_visible()
    member.reload()
    expect(member.get_by_role("button", name=f"Ask to join {name}")).to_have_count(0)
    member.context.close()


def test_a_post_and_a_like_appear_live_in_another_members_tab(base_url: str, browser):
    name = f"Live {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name)
    ann = _member(browser, base_url, "Ann Live")
    bob = _member(browser, base_url, "Bob Live")
    for member in (ann, bob):
        member.goto("/apps/communities")
        member.get_by_role("button", name=f"Join {name}").click()
        expect(member.get_by_text("You joined the group.")).to_be_visible()
        member.goto(f"/apps/communities/{slug}")
        expect(member.get_by_text("No posts yet.")).to_be_visible()
    ann.get_by_label("Your post").fill("Fresh from the oven")
    ann.get_by_role("button", name="Post", exact=True).click()
    # Bob does not reload: the post arrives through the live channel.
    expect(bob.get_by_text("Fresh from the oven")).to_be_visible(timeout=5000)
    bob.get_by_role("button", name=re.compile(r"^Like")).first.click()
    expect(ann.get_by_role("button", name=re.compile(r"^Like \(1 like\)"))).to_be_visible(timeout=5000)
    ann.context.close()
    bob.context.close()


def _make_moderator(email_name: str, slug: str) -> None:
    from sqlmodel import select

    from portal_app.accounts.models import Account
    from portal_app.apps.communities.models import CommunityGroup, GroupMember
    from portal_app.kernel import db

    with db.write_session() as session:
        group = session.exec(select(CommunityGroup).where(CommunityGroup.slug == slug)).one()
        account = session.exec(select(Account).where(Account.full_name == email_name)).one()
        member = session.exec(
            select(GroupMember).where(GroupMember.group_id == group.id, GroupMember.account_id == account.id)
        ).one()
        member.role = "moderator"
        session.add(member)


def test_a_member_reports_and_a_moderator_hides_the_post_for_everyone_live(base_url: str, browser):
    name = f"Moderated {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name)
    moderator_name = f"Mo Moderator {secrets.token_hex(2)}"
    ann, mo = _member(browser, base_url, "Ann Writer"), _member(browser, base_url, moderator_name)
    for member in (ann, mo):
        member.goto("/apps/communities")
        member.get_by_role("button", name=f"Join {name}").click()
        expect(member.get_by_text("You joined the group.")).to_be_visible()
    _make_moderator(moderator_name, slug)
    ann.goto(f"/apps/communities/{slug}")
    ann.get_by_label("Title (optional)").fill("Cheap pills")
    ann.get_by_label("Your post").fill("Buy now")
    ann.get_by_role("button", name="Post", exact=True).click()
    expect(ann.get_by_role("heading", name="Cheap pills")).to_be_visible()

    mo.goto(f"/apps/communities/{slug}")
    mo.get_by_role("button", name="Report post: Cheap pills").click()
    expect(mo.get_by_label("Why are you reporting it?")).to_be_visible()
    mo.keyboard.press("Escape")
    mo.get_by_role("button", name="Hide Cheap pills").click()
    expect(mo.get_by_text("Hidden", exact=True)).to_be_visible()
    # Hidden: another member no longer sees it (its author and the moderators still do, marked Hidden).
    bea = _member(browser, base_url, "Bea Bystander")
    bea.goto("/apps/communities")
    bea.get_by_role("button", name=f"Join {name}").click()
    bea.goto(f"/apps/communities/{slug}")
    expect(bea.get_by_text("No posts yet.")).to_be_visible()
    mo.get_by_role("button", name="Show Cheap pills").click()
    expect(bea.get_by_role("heading", name="Cheap pills")).to_be_visible(timeout=5000)
    bea.get_by_role("button", name="Report post: Cheap pills").click()
    bea.get_by_label("Why are you reporting it?").fill("Spam")
    bea.get_by_role("button", name="Send report").click()
    expect(bea.get_by_text("Thank you: the group's moderators will look at it.")).to_be_visible()
    mo.get_by_role("link", name="Moderation queue").click()
    mo.wait_for_url(re.compile(rf".*/apps/communities/{slug}/moderation/?$"))
    report = mo.get_by_role("list", name="Open reports").get_by_role("listitem")
    expect(report).to_contain_text("Reason: Spam")
    assert_no_violations(mo, "the moderation queue")
    report.get_by_role("button", name="Resolved").click()
    expect(mo.get_by_text("No open reports.")).to_be_visible()
    bea.get_by_label("Search this group").fill("pills")
    bea.get_by_role("button", name="Search").click()
    expect(bea.get_by_text("1 posts found for", exact=False)).to_be_visible()
    for page in (ann, mo, bea):
        page.context.close()


def test_a_moderator_lets_a_request_in_from_the_members_page(base_url: str, browser):
    name = f"Circle {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name, visibility="private")
    moderator_name = f"Mia Moderator {secrets.token_hex(2)}"
    mia, eve = _member(browser, base_url, moderator_name), _member(browser, base_url, "Eve Asker")
    for member in (mia, eve):
        member.goto("/apps/communities")
        member.get_by_role("button", name=f"Ask to join {name}").click()
        expect(member.get_by_text("You asked to join.", exact=False)).to_be_visible()
    _make_moderator(moderator_name, slug)
    _activate(moderator_name, slug)
    mia.goto(f"/apps/communities/{slug}/members")
    expect(mia.get_by_role("list", name="Members").get_by_text("Waiting to join")).to_be_visible()
    assert_no_violations(mia, "a group's members")
    mia.get_by_role("button", name="Approve Eve Asker").click()
    expect(mia.get_by_text("Approved.")).to_be_visible()
    eve.goto(f"/apps/communities/{slug}")
    expect(eve.get_by_role("heading", name=name)).to_be_visible()
    mia.get_by_role("button", name="Ban Eve Asker").click()
    expect(mia.get_by_text("Banned.")).to_be_visible()
    eve.reload()
    expect(eve.get_by_role("heading", name="That group is not open to you")).to_be_visible()
    for page in (mia, eve):
        page.context.close()


def _activate(full_name: str, slug: str) -> None:
    from sqlmodel import select

    from portal_app.accounts.models import Account
    from portal_app.apps.communities.models import CommunityGroup, GroupMember
    from portal_app.kernel import db

    with db.write_session() as session:
        group = session.exec(select(CommunityGroup).where(CommunityGroup.slug == slug)).one()
        account = session.exec(select(Account).where(Account.full_name == full_name)).one()
        member = session.exec(
            select(GroupMember).where(GroupMember.group_id == group.id, GroupMember.account_id == account.id)
        ).one()
        member.status = "active"
        session.add(member)
