"""Communities' admin pages through the real Reflex event pipeline: the groups list, one group (details,
cover, channels), its members, and the admin-wide moderation queue.

Every public handler is sent by tabs without a staff session (none, a member's session, a client's
session token in the staff cookie) and must change nothing, show nothing and send the tab to sign in;
the flows run for staff; hostile payloads and fake uploads are refused without an exception, a stored
change or a file on disk; reported text reaches the page only sanitised.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from sqlmodel import col, select

from portal_app.admin import staff_sessions
from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.admin.ui.base_state import AdminState
from portal_app.apps.communities import groups, moderation, owner_channels, owner_members, owner_reports, posts
from portal_app.apps.communities.models import Channel, Comment, CommunityGroup, GroupMember, Post, Report
from portal_app.apps.communities.ui.owner_group_state import CommunitiesGroupAdminState as GROUP
from portal_app.apps.communities.ui.owner_members_state import CommunitiesMembersAdminState as MEMBERS
from portal_app.apps.communities.ui.owner_page import CommunitiesOwnerState as OWNER
from portal_app.apps.communities.ui.owner_reports_state import CommunitiesReportsAdminState as REPORTS
from portal_app.kernel import clock, db
from portal_app.timeline.models import Activity
from tests.apps.courses.support import XSS_PAYLOADS, assert_inert
from tests.apps.courses.test_courses_state import cookie_for
from tests.apps.support import add_account, grant, set_business
from tests.support.admin import STAFF_EMAIL, create_staff, staff_session_token
from tests.support.admin_states import staff_cookie, whole_state_text
from tests.support.hostile_input import NOT_A_FORM, ONE_MB, assert_human_message, assert_nothing_crashed, check_each

BASE = "/admin/apps/communities"
PAGES = {
    "list": BASE,
    "group": f"{BASE}/groups/bakers",
    "members": f"{BASE}/groups/bakers/members",
    "reports": f"{BASE}/reports",
}
ADMIN_LOGIN = "/admin/login"
CREATOR = Actor("creator@example.com")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\x01" * 50
TABLES = (CommunityGroup, Channel, GroupMember, Post, Comment, Report, AuditEntry, Activity)
# Text only the admin pages' data holds: none of it may reach a tab without a staff session.
SECRETS = ("Zanzibar", "ann.hidden@example.com", "Quokka reason", "Yeti body", "Recipes of Mu")
NOTHING_SAVED = "Nothing was saved. Correct the fields marked below."


@dataclasses.dataclass(frozen=True)
class Site:
    ann: int  # an active member of Bakers (and its author of a reported post)
    bob: int  # waiting to join Secret
    eve: int  # banned from Bakers
    cat: int  # reports Ann's post
    zed: int  # in no group
    post: int
    report: int
    data_dir: Path


@pytest.fixture
def site(pipeline, frozen_clock, profiles, tmp_path) -> Site:
    set_business(enabled_apps=["communities"])
    groups.create_group(CREATOR, name="Bakers", description="Zanzibar bread club")
    groups.create_group(CREATOR, name="Secret", visibility="private")
    owner_channels.add_channel(CREATOR, "bakers", "Recipes of Mu")
    people = {
        name: add_account(email, full)
        for name, email, full in (
            ("ann", "ann.hidden@example.com", "Ann Author"),
            ("bob", "bob@example.com", "Bob Waiting"),
            ("eve", "eve@example.com", "Eve Banned"),
            ("cat", "cat@example.com", "Cat Reporter"),
            ("zed", "zed@example.com", "Zed Newcomer"),
        )
    }
    for name in ("ann", "eve", "cat"):
        grant(people[name], "communities")
        groups.join(people[name], "bakers")
    groups.join(people["bob"], "secret")
    owner_members.set_status(CREATOR, "bakers", people["eve"], "ban")
    post = posts.create_post(people["ann"], "bakers", "general", title="Cheap bread", body="Yeti body")
    moderation.report(people["cat"], "bakers", post, reason="Quokka reason")
    with db.read_session() as session:
        report = session.exec(select(Report.id)).one()
    return Site(**people, post=post, report=report, data_dir=tmp_path / "data")


def staff_login() -> str:
    create_staff()
    return staff_cookie(staff_session_token())


@pytest.fixture
def staff(site) -> str:
    return staff_login()


def snapshot() -> dict[str, list[dict[str, Any]]]:
    with db.read_session() as session:
        return {
            model.__name__: [row.model_dump() for row in session.exec(select(model).order_by(col(model.id)))]
            for model in TABLES
        }


def audit_actions() -> list[tuple[str, str, str]]:
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [(entry.actor, entry.action.removeprefix("communities."), entry.target) for entry in entries]


def stored_files(site: Site) -> list[str]:
    return sorted(str(path) for path in site.data_dir.rglob("*") if path.is_file()) if site.data_dir.exists() else []


def form(**fields: object) -> dict[str, object]:
    return {"form_data": fields}


def upload_of(data: bytes, name: str = "cover.png") -> dict:
    return {"files": [rx.UploadFile(file=io.BytesIO(data), path=Path(name))]}


async def open_tab(pipeline, cookie: str, page: str):
    client = await pipeline.connect(PAGES[page] if page in PAGES else page, cookie=cookie)
    client.clear_updates()
    return client


# --- every handler, and what a page would send it ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Spec:
    state: type
    name: str
    page: str
    payload: Callable[[Site], dict]

    def __str__(self) -> str:
        return f"{self.state.__name__}.{self.name}"


FAKE_UPLOAD = {"files": [{"filename": "cover.png", "content_type": "image/png", "data": "iVBORw0KGgo="}]}
SPECS = (
    Spec(OWNER, "load", "list", lambda s: {}),
    Spec(OWNER, "create", "list", lambda s: form(name="Hijacked", slug="", description="", visibility="public")),
    Spec(OWNER, "set_archived", "list", lambda s: {"slug": "bakers", "archived": True}),
    Spec(GROUP, "load", "group", lambda s: {}),
    Spec(
        GROUP,
        "save_group",
        "group",
        lambda s: form(name="Hijacked", slug="hijacked", description="", visibility="public", posting="everyone"),
    ),
    Spec(GROUP, "set_archived", "group", lambda s: {"archived": True}),
    Spec(GROUP, "upload_cover", "group", lambda s: upload_of(PNG)),
    Spec(GROUP, "remove_cover", "group", lambda s: {}),
    Spec(GROUP, "add_channel", "group", lambda s: form(channel_name="Hijacked")),
    Spec(GROUP, "rename_channel", "group", lambda s: form(channel="recipes-of-mu", name="Hijacked")),
    Spec(GROUP, "move_channel", "group", lambda s: {"channel": "recipes-of-mu", "direction": "up"}),
    Spec(GROUP, "delete_channel", "group", lambda s: {"channel": "recipes-of-mu"}),
    Spec(MEMBERS, "load", "members", lambda s: {}),
    Spec(MEMBERS, "filter_members", "members", lambda s: form(status="all", query="ann")),
    Spec(MEMBERS, "more_members", "members", lambda s: {}),
    Spec(MEMBERS, "add_member", "members", lambda s: form(email="zed@example.com", role="owner")),
    Spec(MEMBERS, "choose_account", "members", lambda s: {"account_id": s.zed}),
    Spec(MEMBERS, "set_role", "members", lambda s: form(account_id=str(s.ann), role="owner")),
    Spec(MEMBERS, "member_action", "members", lambda s: {"account_id": s.ann, "action": "ban"}),
    Spec(REPORTS, "load", "reports", lambda s: {}),
    Spec(REPORTS, "filter_reports", "reports", lambda s: form(report_status="open", report_group="bakers")),
    Spec(REPORTS, "older_reports", "reports", lambda s: {}),
    Spec(REPORTS, "act", "reports", lambda s: {"report_id": s.report, "action": "delete"}),
)


@pytest.mark.parametrize("state", [OWNER, GROUP, MEMBERS, REPORTS], ids=lambda state: state.__name__)
def test_every_handler_has_a_spec_here(state):
    """A new handler must be added to SPECS so the refusal tests send it."""
    assert sorted(spec.name for spec in SPECS if spec.state is state) == sorted(
        name for name in state.event_handlers if name != "setvar"
    )


# --- 1. only staff ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=str)
async def test_a_tab_without_a_staff_session_changes_and_sees_nothing(pipeline, caplog, site, spec):
    member = cookie_for(site.ann)
    cases = {
        "anonymous": None,
        "member": member,
        "client-session-in-the-staff-cookie": f"{STAFF_COOKIE}={member.split('=', 1)[1]}",
    }
    before = snapshot()

    async def check(cookie):
        client = await pipeline.connect(PAGES[spec.page], cookie=cookie)
        client.clear_updates()
        await client.send(getattr(spec.state, spec.name), spec.payload(site))
        assert_nothing_crashed(pipeline, caplog)
        assert snapshot() == before, "the database changed"
        text = await whole_state_text(client)
        assert [secret for secret in SECRETS if secret in text] == [], "admin data in the state"
        assert (await client.state(AdminState)).staff_signed_in is False
        assert client.redirects() == [ADMIN_LOGIN]

    await check_each(pipeline, caplog, cases, check)
    assert stored_files(site) == []


async def test_a_staff_session_ended_elsewhere_is_refused_at_the_next_click(pipeline, caplog, site):
    create_staff()
    token = staff_session_token()
    client = await open_tab(pipeline, staff_cookie(token), "group")
    assert (await client.state(GROUP)).group_name == "Bakers"
    staff_sessions.end_session(token)
    before = snapshot()
    await client.send(GROUP.add_channel, form(channel_name="Late"))
    assert_nothing_crashed(pipeline, caplog)
    assert snapshot() == before
    state = await client.state(GROUP)
    assert (state.group_ready, state.group_name, state.channels) == (False, "", [])
    assert client.redirects() == [ADMIN_LOGIN]


# --- 2. one group: details, cover, channels -------------------------------------------------------------------


async def test_the_group_page_shows_the_group_and_saves_each_field(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "group")
    state = await client.state(GROUP)
    assert (state.group_name, state.group_slug, state.group_description) == ("Bakers", "bakers", "Zanzibar bread club")
    assert (state.group_members, state.group_pending, state.group_reports, state.group_cover_url) == (2, 0, 1, "")
    assert [(c.slug, c.posts, c.is_general, c.first, c.last) for c in state.channels] == [
        ("general", "1 post", True, True, False),
        ("recipes-of-mu", "0 posts", False, False, True),
    ]
    before = snapshot()
    await client.send(
        GROUP.save_group, form(name=" ", slug="Bad Slug", description="x" * 2001, visibility="x", posting="y")
    )
    state = await client.state(GROUP)
    assert state.group_notice == NOTHING_SAVED
    assert state.group_errors == {
        "name": "Give the group a name.",
        "slug": "Use 1-80 lower-case letters, digits or hyphens.",
        "description": "Keep the description to 2,000 characters or fewer.",
        "visibility": "Choose public or private.",
        "posting": "Choose who may post: everyone or admins.",
    }
    assert snapshot() == before

    await client.send(
        GROUP.save_group,
        form(name="Bakers", slug="secret", description="", visibility="public", posting="everyone"),
    )
    assert (await client.state(GROUP)).group_errors["slug"] == "Another group already uses the address secret."
    assert snapshot() == before

    await client.send(
        GROUP.save_group,
        form(name="Bread Club", slug="bakers", description="New words", visibility="private", posting="admins"),
    )
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(GROUP)
    assert (state.group_notice, state.group_name, state.group_visibility, state.group_posting) == (
        "Group saved.",
        "Bread Club",
        "private",
        "admins",
    )
    assert audit_actions()[-1] == (STAFF_EMAIL, "group_updated", "bakers")

    await client.send(
        GROUP.save_group,
        form(name="Bread Club", slug="bread", description="New words", visibility="private", posting="admins"),
    )
    assert client.redirects() == [f"{BASE}/groups/bread"]
    moved = await open_tab(pipeline, staff, f"{BASE}/groups/bread")
    assert (await moved.state(GROUP)).group_slug == "bread"


async def test_archiving_from_the_group_page(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "group")
    await client.send(GROUP.set_archived, {"archived": True})
    state = await client.state(GROUP)
    assert (state.group_archived, state.group_notice) == (True, "Group archived: members can read it but not post.")
    for bad in ("yes", None, 1, [True]):
        await client.send(GROUP.set_archived, {"archived": bad})
        assert (await client.state(GROUP)).group_notice == "Nothing changed."
    await client.send(GROUP.set_archived, {"archived": False})
    assert (await client.state(GROUP)).group_archived is False
    assert [action for _, action, _ in audit_actions()][-2:] == ["group_archived", "group_restored"]
    assert_nothing_crashed(pipeline, caplog)


async def test_a_cover_is_uploaded_shown_and_removed(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "group")
    await client.send(GROUP.upload_cover, upload_of(b"<svg onload=alert(1)>"))
    state = await client.state(GROUP)
    assert state.cover_error.startswith("That kind of file is not taken here.")
    assert stored_files(site) == []
    await client.send(GROUP.upload_cover, upload_of(PNG))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(GROUP)
    assert (state.group_notice, state.cover_error) == ("Cover uploaded.", "")
    assert state.group_cover_url.startswith("/api/apps/communities/covers/bakers?v=")
    assert len(stored_files(site)) == 1
    await client.send(GROUP.remove_cover, {})
    state = await client.state(GROUP)
    assert (state.group_notice, state.group_cover_url) == ("Cover removed.", "")
    assert stored_files(site) == []
    await client.send(GROUP.remove_cover, {})
    assert (await client.state(GROUP)).group_notice == "The group has no cover."
    assert [action for _, action, _ in audit_actions()][-2:] == ["cover_set", "cover_removed"]


FAKE_FILES = {
    "none": None,
    "empty-list": [],
    "a-dict": FAKE_UPLOAD["files"][0],
    "list-of-a-dict": FAKE_UPLOAD["files"],
    "two-files": [rx.UploadFile(file=io.BytesIO(PNG), path=Path("a.png"))] * 2,
    "a-path": ["/etc/passwd"],
    "data-url": "data:image/png;base64,iVBORw0KGgo=",
    "one-mb": ["x" * ONE_MB],
    "dict-ne": {"$ne": ""},
    "true": True,
}


async def test_uploads_sent_over_the_socket_are_refused_and_store_no_file(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "group")
    before = snapshot()

    async def check(files):
        await client.send(GROUP.upload_cover, {"files": files})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(GROUP)
        assert (state.cover_error, state.group_notice, state.group_cover_url) == (
            "Choose one image, then upload it.",
            "",
            "",
        )
        assert snapshot() == before
        assert stored_files(site) == []

    await check_each(pipeline, caplog, FAKE_FILES, check)


async def test_channels_are_added_renamed_moved_and_deleted(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "group")
    await client.send(GROUP.add_channel, form(channel_name="  "))
    assert (await client.state(GROUP)).channel_errors["channel_name"] == "Give the channel a name."
    await client.send(GROUP.add_channel, form(channel_name="Events"))
    state = await client.state(GROUP)
    assert state.group_notice == "Channel added at the address events."
    assert [c.slug for c in state.channels] == ["general", "recipes-of-mu", "events"]

    await client.send(GROUP.rename_channel, form(channel="events", name="general"))
    state = await client.state(GROUP)
    assert (state.rename_slug, state.rename_error) == ("events", "This group already has a channel called General.")
    await client.send(GROUP.rename_channel, form(channel="events", name="Meet-ups"))
    state = await client.state(GROUP)
    assert (state.group_notice, state.rename_error, state.channels[2].name) == ("Channel renamed.", "", "Meet-ups")

    await client.send(GROUP.move_channel, {"channel": "events", "direction": "up"})
    await client.send(GROUP.move_channel, {"channel": "events", "direction": "up"})
    state = await client.state(GROUP)
    assert [c.slug for c in state.channels] == ["events", "general", "recipes-of-mu"]
    await client.send(GROUP.move_channel, {"channel": "events", "direction": "up"})
    assert (await client.state(GROUP)).group_notice == "Nothing changed."

    await client.send(GROUP.delete_channel, {"channel": "general"})
    state = await client.state(GROUP)
    assert state.channel_errors["channels"].startswith("The General channel stays")
    await client.send(GROUP.delete_channel, {"channel": "events"})
    assert (await client.state(GROUP)).group_notice == "Channel deleted."
    with db.write_session() as session:
        post = session.get(Post, site.post)
        post.channel_id = session.exec(select(Channel.id).where(Channel.slug == "recipes-of-mu")).one()
        session.add(post)
    await client.send(GROUP.delete_channel, {"channel": "recipes-of-mu"})
    state = await client.state(GROUP)
    assert state.group_notice == "Channel deleted; its posts (1) moved to General."
    assert [(c.slug, c.posts) for c in state.channels] == [("general", "1 post")]
    assert_nothing_crashed(pipeline, caplog)
    assert [action for _, action, _ in audit_actions()].count("channel_deleted") == 2


BAD_CHANNEL_CALLS = {
    "rename-unknown": ("rename_channel", form(channel="nope", name="X")),
    "rename-not-text": ("rename_channel", form(channel=["general"], name="X")),
    "move-left": ("move_channel", {"channel": "general", "direction": "left"}),
    "move-list": ("move_channel", {"channel": ["general"], "direction": ["up"]}),
    "move-dict": ("move_channel", {"channel": {"$ne": ""}, "direction": {"$gt": ""}}),
    "delete-path": ("delete_channel", {"channel": "../general"}),
    "delete-none": ("delete_channel", {"channel": None}),
    "delete-huge": ("delete_channel", {"channel": "x" * ONE_MB}),
}


async def test_bad_channel_payloads_change_nothing(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "group")
    before = snapshot()

    async def check(call):
        name, payload = call
        await client.send(getattr(GROUP, name), payload)
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(GROUP)
        assert state.channel_errors["channels"] == "That channel is not there any more."
        assert snapshot() == before

    await check_each(pipeline, caplog, BAD_CHANNEL_CALLS, check)


@pytest.mark.parametrize("name", ["save_group", "add_channel", "rename_channel"])
async def test_forms_that_are_not_forms_are_refused_with_a_message(pipeline, caplog, site, staff, name):
    client = await open_tab(pipeline, staff, "group")
    before = snapshot()

    async def check(payload):
        await client.send(getattr(GROUP, name), {"form_data": payload})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(GROUP)
        messages = [*state.group_errors.values(), *state.channel_errors.values(), state.rename_error]
        assert any(messages)
        for message in filter(None, messages):
            assert_human_message(message)
        assert snapshot() == before

    await check_each(pipeline, caplog, NOT_A_FORM, check)


async def test_pages_of_a_group_that_is_not_there(pipeline, caplog, site, staff):
    for path in (f"{BASE}/groups/gone", f"{BASE}/groups/gone/members", f"{BASE}/groups/..%2Fsecret"):
        client = await open_tab(pipeline, staff, path)
        assert_nothing_crashed(pipeline, caplog)
        if path.endswith("/members"):
            assert (await client.state(MEMBERS)).members_group_missing is True
        else:
            assert (await client.state(GROUP)).group_missing is True
    client = await open_tab(pipeline, staff, f"{BASE}/groups/gone")
    before = snapshot()
    for spec in SPECS:
        if spec.state is GROUP:
            await client.send(getattr(GROUP, spec.name), spec.payload(site))
    assert_nothing_crashed(pipeline, caplog)
    assert snapshot() == before and stored_files(site) == []


# --- 3. members ---------------------------------------------------------------------------------------------


def member_rows(state) -> list[tuple[str, str, str]]:
    return [(row.name, row.role, row.status) for row in state.member_rows]


async def test_the_members_page_adds_sets_roles_and_acts_on_each_status(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "members")
    state = await client.state(MEMBERS)
    assert member_rows(state) == [
        ("Ann Author", "member", "active"),
        ("Cat Reporter", "member", "active"),
        ("Eve Banned", "member", "banned"),
    ]
    assert state.member_counts == "2 active, 0 waiting for approval, 1 banned"

    await client.send(MEMBERS.add_member, form(email="nobody@example.com", role="member"))
    assert (await client.state(MEMBERS)).add_errors == {"email": "No account uses that email address.", "role": ""}
    await client.send(MEMBERS.add_member, form(email="zed@example.com", role="moderator"))
    state = await client.state(MEMBERS)
    assert state.members_notice == (
        "Added Zed Newcomer as moderator. They cannot open Communities yet: give them the app on the Contacts page."
    )
    assert ("Zed Newcomer", "moderator", "active") in member_rows(state)

    await client.send(MEMBERS.set_role, form(account_id=str(site.ann), role="admin"))
    assert (await client.state(MEMBERS)).members_notice == "Ann Author is admin now."
    await client.send(MEMBERS.set_role, form(account_id=str(site.ann), role="king"))
    assert (await client.state(MEMBERS)).member_error == "Choose a role: member, moderator, admin or owner."
    await client.send(MEMBERS.member_action, {"account_id": site.eve, "action": "reinstate"})
    assert (await client.state(MEMBERS)).members_notice == "Reinstated Eve Banned."
    await client.send(MEMBERS.member_action, {"account_id": site.cat, "action": "ban"})
    await client.send(MEMBERS.member_action, {"account_id": site.cat, "action": "remove"})
    assert (await client.state(MEMBERS)).member_error == (
        "Removing someone banned would lift the ban. Reinstate them first."
    )
    await client.send(MEMBERS.member_action, {"account_id": site.zed, "action": "remove"})
    state = await client.state(MEMBERS)
    assert state.members_notice == "Removed Zed Newcomer from the group."
    assert member_rows(state) == [
        ("Ann Author", "admin", "active"),
        ("Cat Reporter", "member", "banned"),
        ("Eve Banned", "member", "active"),
    ]
    assert_nothing_crashed(pipeline, caplog)
    assert [action for actor, action, _ in audit_actions() if actor == STAFF_EMAIL] == [
        "member_added",
        "member_role_changed",
        "member_reinstated",
        "member_banned",
        "member_removed",
    ]


async def test_a_request_is_approved_from_the_private_groups_members_page(pipeline, caplog, site, staff):
    groups.join(site.zed, "secret")
    client = await open_tab(pipeline, staff, f"{BASE}/groups/secret/members")
    await client.send(MEMBERS.filter_members, form(status="pending", query=""))
    state = await client.state(MEMBERS)
    assert member_rows(state) == [("Bob Waiting", "member", "pending"), ("Zed Newcomer", "member", "pending")]
    await client.send(MEMBERS.member_action, {"account_id": site.bob, "action": "approve"})
    state = await client.state(MEMBERS)
    assert state.members_notice == "Approved: Bob Waiting is a member now."
    await client.send(MEMBERS.member_action, {"account_id": site.zed, "action": "decline"})
    state = await client.state(MEMBERS)
    assert (state.members_notice, member_rows(state)) == ("Declined the request of Zed Newcomer.", [])
    assert state.member_counts == "1 active, 0 waiting for approval, 0 banned"
    assert [action for _, action, _ in audit_actions()][-2:] == ["member_approved", "request_declined"]
    with db.read_session() as session:
        joined = session.exec(select(Activity).where(Activity.account_id == site.bob)).all()
    assert [row.kind for row in joined].count("community_joined") == 1


async def test_two_accounts_on_one_email_are_offered_to_choose_from(pipeline, caplog, site, staff):
    twin = add_account("zed@example.com", "Zed Twin")
    client = await open_tab(pipeline, staff, "members")
    await client.send(MEMBERS.add_member, form(email="zed@example.com", role="member"))
    state = await client.state(MEMBERS)
    assert state.add_errors["email"] == "Several accounts use that email. Choose one below."
    assert [(c.account_id, c.label) for c in state.account_choices] == [
        (site.zed, f"Zed Newcomer (account {site.zed})"),
        (twin, f"Zed Twin (account {twin})"),
    ]
    before = snapshot()
    for bad in (site.ann, "1", None, {"$ne": 1}):
        await client.send(MEMBERS.choose_account, {"account_id": bad})
        assert snapshot() == before
    await client.send(MEMBERS.add_member, form(email="zed@example.com", role="member"))
    await client.send(MEMBERS.choose_account, {"account_id": twin})
    state = await client.state(MEMBERS)
    assert (state.members_notice.split(".")[0], state.account_choices) == ("Added Zed Twin as member", [])
    after = snapshot()
    await client.send(MEMBERS.choose_account, {"account_id": site.zed})
    assert snapshot() == after, "a choice is used once"
    assert_nothing_crashed(pipeline, caplog)


async def test_the_member_list_filters_and_pages(pipeline, caplog, site, staff, monkeypatch):
    monkeypatch.setattr(owner_members, "PAGE_SIZE", 2)
    client = await open_tab(pipeline, staff, "members")
    state = await client.state(MEMBERS)
    assert (len(state.member_rows), state.members_more) == (2, True)
    await client.send(MEMBERS.more_members, {})
    state = await client.state(MEMBERS)
    assert ([row.name for row in state.member_rows], state.members_more) == (
        ["Ann Author", "Cat Reporter", "Eve Banned"],
        False,
    )
    await client.send(MEMBERS.more_members, {})
    assert len((await client.state(MEMBERS)).member_rows) == 3
    await client.send(MEMBERS.filter_members, form(status="banned", query=""))
    assert [row.name for row in (await client.state(MEMBERS)).member_rows] == ["Eve Banned"]
    await client.send(MEMBERS.filter_members, form(status="everyone!", query="CAT@"))
    state = await client.state(MEMBERS)
    assert (state.member_status_filter, [row.name for row in state.member_rows]) == ("all", ["Cat Reporter"])
    await client.send(MEMBERS.filter_members, form(status="all", query="x" * ONE_MB))
    state = await client.state(MEMBERS)
    assert (len(state.member_query), state.member_rows) == (100, [])
    assert_nothing_crashed(pipeline, caplog)


BAD_MEMBER_CALLS = {
    "action-unknown": ("member_action", {"account_id": 1, "action": "promote"}),
    "action-dict": ("member_action", {"account_id": 1, "action": {"$ne": ""}}),
    "action-list": ("member_action", {"account_id": [1], "action": ["ban"]}),
    "id-string": ("member_action", {"account_id": "one", "action": "ban"}),
    "id-bool": ("member_action", {"account_id": True, "action": "ban"}),
    "id-huge": ("member_action", {"account_id": 2**80, "action": "remove"}),
    "id-none": ("member_action", {"account_id": None, "action": "remove"}),
    "role-id-garbage": ("set_role", form(account_id="1; drop", role="admin")),
    "role-id-negative": ("set_role", form(account_id="-1", role="admin")),
    "role-not-text": ("set_role", form(account_id="1", role=["admin"])),
    "add-not-text": ("add_member", form(email={"$ne": ""}, role=None)),
    "add-huge": ("add_member", form(email="x" * ONE_MB, role="member")),
    "choose-without-add": ("choose_account", {"account_id": 1}),
}


async def test_bad_member_payloads_change_nothing(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "members")
    before = snapshot()

    async def check(call):
        name, payload = call
        await client.send(getattr(MEMBERS, name), payload)
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(MEMBERS)
        for message in filter(None, [state.member_error, *state.add_errors.values()]):
            assert_human_message(message)
        assert snapshot() == before

    await check_each(pipeline, caplog, BAD_MEMBER_CALLS, check)


# --- 4. the moderation queue -------------------------------------------------------------------------------


async def test_the_queue_lists_reports_of_every_group_and_acts_on_them(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "reports")
    state = await client.state(REPORTS)
    assert state.reports_open_count == 1
    [row] = state.report_rows
    assert (row.label, row.group_name, row.group_href, row.is_comment, row.author, row.reporter, row.reason) == (
        f"Report {site.report}",
        "Bakers",
        f"{BASE}/groups/bakers",
        False,
        "Ann Author",
        "Cat Reporter",
        "Quokka reason",
    )
    assert row.excerpt_html.strip() == "<p>Yeti body</p>"
    assert row.post_href == f"/apps/communities/bakers/post/{site.post}"
    assert [(g.slug, g.name) for g in state.report_groups] == [("bakers", "Bakers"), ("secret", "Secret")]

    await client.send(REPORTS.act, {"report_id": site.report, "action": "hide"})
    state = await client.state(REPORTS)
    assert (state.reports_notice, state.report_rows, state.reports_open_count) == (
        "Hidden from members; its open reports are resolved.",
        [],
        0,
    )
    await client.send(REPORTS.filter_reports, form(report_status="resolved", report_group="bakers"))
    state = await client.state(REPORTS)
    assert [(r.is_open, r.hidden, r.closed.split(" ")[0]) for r in state.report_rows] == [(False, True, "Resolved")]
    await client.send(REPORTS.act, {"report_id": site.report, "action": "show"})
    assert (await client.state(REPORTS)).reports_notice == "Members see it again."
    await client.send(REPORTS.act, {"report_id": site.report, "action": "delete"})
    state = await client.state(REPORTS)
    assert state.reports_error == "That report is not open any more, or what it named is gone."
    assert [action for actor, action, _ in audit_actions() if actor == STAFF_EMAIL] == [
        "post_hidden",
        "report_resolved",
        "post_shown",
    ]
    assert_nothing_crashed(pipeline, caplog)


async def test_the_queue_opens_on_one_group_from_the_address(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, f"{BASE}/reports?group=secret")
    state = await client.state(REPORTS)
    assert (state.report_group, state.report_rows, state.reports_open_count) == ("secret", [], 0)
    for asked in ("gone", "..%2Fx", "x" * 200):
        client = await open_tab(pipeline, staff, f"{BASE}/reports?group={asked}")
        state = await client.state(REPORTS)
        assert (state.report_group, len(state.report_rows)) == ("", 1)
    assert_nothing_crashed(pipeline, caplog)


async def test_deleting_from_the_queue_takes_the_post_away_for_members(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "reports")
    await client.send(REPORTS.act, {"report_id": site.report, "action": "delete"})
    state = await client.state(REPORTS)
    assert (state.reports_notice, state.report_rows) == ("Deleted, with its reports.", [])
    assert posts.feed(site.cat, "bakers").posts == ()
    assert audit_actions()[-1] == (STAFF_EMAIL, "post_deleted", f"bakers/post/{site.post}")


async def test_reported_text_reaches_the_queue_only_sanitised(pipeline, caplog, site, staff):
    for number, payload in enumerate(XSS_PAYLOADS.values()):
        with db.write_session() as session:
            post = Post(
                group_id=session.exec(select(CommunityGroup.id).where(CommunityGroup.slug == "bakers")).one(),
                channel_id=session.exec(select(Channel.id).where(Channel.slug == "general")).first(),
                author_id=site.ann,
                title=payload[:200],
                body_markdown=payload,
                created_at=clock.now(),
            )
            session.add(post)
            session.flush()
            session.add(
                Report(
                    group_id=post.group_id,
                    post_id=post.id,
                    reporter_id=site.cat,
                    reason=f"Bad {number}",
                    created_at=clock.now(),
                )
            )
    client = await open_tab(pipeline, staff, "reports")
    state = await client.state(REPORTS)
    assert len(state.report_rows) == len(XSS_PAYLOADS) + 1
    for row in state.report_rows:
        assert_inert(row.excerpt_html)
    assert_nothing_crashed(pipeline, caplog)


async def test_the_queue_pages_older_reports(pipeline, caplog, site, staff, monkeypatch):
    monkeypatch.setattr(owner_reports, "PAGE_SIZE", 1)
    moderation.report(site.ann, "bakers", site.post, reason="Second")
    client = await open_tab(pipeline, staff, "reports")
    state = await client.state(REPORTS)
    assert ([r.reason for r in state.report_rows], state.reports_more) == (["Second"], True)
    await client.send(REPORTS.older_reports, {})
    state = await client.state(REPORTS)
    assert ([r.reason for r in state.report_rows], state.reports_more) == (["Second", "Quokka reason"], False)
    await client.send(REPORTS.older_reports, {})
    assert len((await client.state(REPORTS)).report_rows) == 2


BAD_REPORT_CALLS = {
    "unknown-action": ("act", {"report_id": 1, "action": "ban"}),
    "dict-action": ("act", {"report_id": 1, "action": {"$ne": ""}}),
    "string-id": ("act", {"report_id": "one", "action": "delete"}),
    "huge-id": ("act", {"report_id": 2**80, "action": "delete"}),
    "none-id": ("act", {"report_id": None, "action": "hide"}),
    "list-id": ("act", {"report_id": [1], "action": "hide"}),
    "unknown-id": ("act", {"report_id": 99999, "action": "hide"}),
    "filter-garbage": ("filter_reports", form(report_status={"$ne": ""}, report_group=["bakers"])),
    "filter-not-a-form": ("filter_reports", {"form_data": "x" * ONE_MB}),
}


async def test_bad_report_payloads_change_nothing(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "reports")
    before = snapshot()

    async def check(call):
        name, payload = call
        await client.send(getattr(REPORTS, name), payload)
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(REPORTS)
        if state.reports_error:
            assert_human_message(state.reports_error)
        assert state.report_status == "open" and len(state.report_rows) == 1
        assert snapshot() == before

    await check_each(pipeline, caplog, BAD_REPORT_CALLS, check)


# --- 5. the groups list ------------------------------------------------------------------------------------


async def test_the_groups_list_links_each_group_and_the_queue(pipeline, caplog, site, staff):
    client = await open_tab(pipeline, staff, "list")
    state = await client.state(OWNER)
    assert [(row.slug, row.href, row.reports) for row in state.owner_groups] == [
        ("bakers", f"{BASE}/groups/bakers", 1),
        ("secret", f"{BASE}/groups/secret", 0),
    ]
    assert state.owner_open_reports == 1
    assert_nothing_crashed(pipeline, caplog)
