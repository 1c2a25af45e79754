"""The admin pages with a live staff session, through the real event pipeline: what they show and change."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from portal_app.accounts.models import Account
from portal_app.admin.models import AuditEntry
from portal_app.admin.ui.audit_state import AdminAuditState
from portal_app.admin.ui.base_state import AdminState
from portal_app.admin.ui.contacts_state import AdminContactsState
from portal_app.admin.ui.dashboard_state import AdminDashboardState
from portal_app.admin.ui.settings_state import AdminSettingsState
from portal_app.apps.models import AppGrant
from portal_app.kernel import db
from tests.support.admin import STAFF_EMAIL, STAFF_NAME, create_staff, staff_session_token
from tests.support.admin_states import (
    CLIENT_EMAIL,
    CLIENT_NAME,
    SUPPORT_EMAIL,
    database_snapshot,
    seed_client,
    staff_cookie,
)
from tests.support.hostile_input import (
    NOT_A_FORM,
    NOT_A_STRING,
    assert_human_message,
    assert_nothing_crashed,
    check_each,
)


@pytest.fixture
def staff(pipeline, frozen_clock) -> dict:
    account_id = seed_client()
    create_staff()
    return {"account_id": account_id, "cookie": staff_cookie(staff_session_token())}


def audit_rows() -> list[AuditEntry]:
    with db.read_session() as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))


def grants(account_id: int) -> list[str]:
    with db.read_session() as session:
        return sorted(session.exec(select(AppGrant.app_key).where(AppGrant.account_id == account_id)))


async def test_the_dashboard_shows_its_numbers(pipeline, caplog, staff):
    client = await pipeline.connect("/admin", cookie=staff["cookie"])
    assert_nothing_crashed(pipeline, caplog)
    admin = await client.state(AdminState)
    assert (admin.staff_signed_in, admin.staff_name) == (True, STAFF_NAME)
    state = await client.state(AdminDashboardState)
    assert (state.loaded, state.signed_up, state.invited, state.joined) == (True, 1, 0, 1)
    assert len(state.weeks) == 12 and state.weeks[-1]["signups"] == "1"
    assert client.redirects() == []


async def test_settings_show_and_save_with_messages_next_to_bad_fields(pipeline, caplog, staff):
    client = await pipeline.connect("/admin/settings", cookie=staff["cookie"])
    state = await client.state(AdminSettingsState)
    assert (state.loaded, state.support_email, state.name) == (True, SUPPORT_EMAIL, "Test Business")
    before = database_snapshot()

    bad = {
        "name": "",
        "brand_color": "purple",
        "support_email": SUPPORT_EMAIL,
        "default_landing_app": "home",
        "time_zone": "UTC",
    }
    await client.send(AdminSettingsState.save, {"form_data": bad})
    state = await client.state(AdminSettingsState)
    assert state.errors["name"] == "Enter the business name."
    assert state.errors["brand_color"] == "Enter a colour as # and six hexadecimal digits, like #3e63dd."
    assert state.errors["support_email"] == "" and state.notice.startswith("Nothing was saved.")
    assert database_snapshot() == before

    good = {**bad, "name": "Sunrise Yoga", "brand_color": "#112233", "enabled_apps.courses": "on"}
    await client.send(AdminSettingsState.save, {"form_data": good})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(AdminSettingsState)
    assert (state.notice, state.name, state.brand_color, state.enabled_apps) == (
        "Settings saved.",
        "Sunrise Yoga",
        "#112233",
        ["courses"],
    )
    assert state.errors["name"] == "" and state.business_name == "Sunrise Yoga"
    [*_, entry] = audit_rows()
    assert (entry.actor, entry.action) == (STAFF_EMAIL, "settings_changed")
    assert json.loads(entry.detail)["name"] == {"from": "Test Business", "to": "Sunrise Yoga"}


async def test_settings_take_any_payload_without_crashing(pipeline, caplog, staff):
    before = database_snapshot()
    cases = {**NOT_A_FORM, **{f"name-{key}": {"name": value} for key, value in NOT_A_STRING.items()}}

    async def check(form):
        client = await pipeline.connect("/admin/settings", cookie=staff["cookie"])
        await client.send(AdminSettingsState.save, {"form_data": form})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(AdminSettingsState)
        assert state.notice.startswith("Nothing was saved.")
        for message in state.errors.values():
            if message:
                assert_human_message(message)
        assert database_snapshot() == before

    await check_each(pipeline, caplog, cases, check)


async def test_contacts_search_open_grant_revoke_disable_enable(pipeline, caplog, staff):
    account_id = staff["account_id"]
    client = await pipeline.connect("/admin/contacts", cookie=staff["cookie"])
    state = await client.state(AdminContactsState)
    assert [row["email"] for row in state.rows] == [CLIENT_EMAIL]

    await client.send(AdminContactsState.search, {"form_data": {"query": "SECRETNAME"}})
    assert [row["name"] for row in (await client.state(AdminContactsState)).rows] == [CLIENT_NAME]
    await client.send(AdminContactsState.search, {"form_data": {"query": "nobody"}})
    assert (await client.state(AdminContactsState)).total == 0

    await client.send(AdminContactsState.open_account, {"account_id": str(account_id)})
    state = await client.state(AdminContactsState)
    assert (state.detail_id, state.detail_email, state.detail_status) == (str(account_id), CLIENT_EMAIL, "Active")
    assert {app["key"]: app["granted"] for app in state.detail_apps}["courses"] == "yes"

    target = {"account_id": str(account_id)}
    await client.send(AdminContactsState.grant_app, {**target, "app_key": "affiliates"})
    assert (await client.state(AdminContactsState)).message == "Affiliate Manager granted."
    await client.send(AdminContactsState.revoke_app, {**target, "app_key": "courses"})
    assert grants(account_id) == ["affiliates"]
    await client.send(AdminContactsState.disable_account, target)
    state = await client.state(AdminContactsState)
    assert (state.detail_status, state.detail_disabled) == ("Disabled", True)
    await client.send(AdminContactsState.enable_account, target)
    assert (await client.state(AdminContactsState)).detail_disabled is False
    assert_nothing_crashed(pipeline, caplog)

    entries = [(entry.actor, entry.action) for entry in audit_rows() if entry.actor == STAFF_EMAIL]
    assert entries == [
        (STAFF_EMAIL, "app_granted"),
        (STAFF_EMAIL, "app_revoked"),
        (STAFF_EMAIL, "account_disabled"),
        (STAFF_EMAIL, "account_enabled"),
    ]
    activity = (await client.state(AdminContactsState)).detail_activity
    assert activity, "the account's recent activity is shown"


async def test_contacts_handlers_take_any_arguments_without_crashing(pipeline, caplog, staff):
    before = database_snapshot()
    odd = {**NOT_A_STRING, "999": "999", "negative": "-1", "huge": "9" * 30, "zero": "0", "spaces": " 1 "}
    client = await pipeline.connect("/admin/contacts", cookie=staff["cookie"])

    async def check(value):
        for handler in (
            AdminContactsState.open_account,
            AdminContactsState.disable_account,
            AdminContactsState.enable_account,
        ):
            await client.send(handler, {"account_id": value})
        await client.send(AdminContactsState.grant_app, {"account_id": value, "app_key": value})
        await client.send(AdminContactsState.grant_app, {"account_id": str(staff["account_id"]), "app_key": value})
        await client.send(AdminContactsState.revoke_app, {"account_id": str(staff["account_id"]), "app_key": value})
        await client.send(AdminContactsState.go_to_page, {"page": value})
        await client.send(AdminContactsState.search, {"form_data": {"query": value}})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(AdminContactsState)
        if state.error:
            assert_human_message(state.error)
        assert database_snapshot() == before

    await check_each(pipeline, caplog, odd, check)


async def test_invite_from_the_contacts_page(pipeline, caplog, staff):
    client = await pipeline.connect("/admin/contacts", cookie=staff["cookie"])
    form = {"email": "Nia@Client.example", "full_name": "Nia New", "apps.courses": "on", "apps.affiliates": "on"}
    await client.send(AdminContactsState.invite, {"form_data": {**form, "apps.courses": "", "apps.affiliates": ""}})
    state = await client.state(AdminContactsState)
    assert state.invite_errors["apps"] == "Choose at least one app."

    await client.send(AdminContactsState.invite, {"form_data": form})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(AdminContactsState)
    assert state.invite_notice.startswith("Invited Nia New <nia@client.example>.")
    assert state.detail_email == "nia@client.example" and state.detail_status == "Invited"
    with db.read_session() as session:
        account = session.exec(select(Account).where(Account.email == "nia@client.example")).one()
    assert grants(account.id) == ["affiliates", "courses"]
    [*_, entry] = audit_rows()
    assert (entry.actor, entry.action, entry.target) == (
        STAFF_EMAIL,
        "account_invited",
        f"account {account.id} <nia@client.example>",
    )

    await client.send(AdminContactsState.invite, {"form_data": form})
    assert (await client.state(AdminContactsState)).invite_errors["email"] == (
        "An account already exists for nia@client.example."
    )


async def test_the_audit_page_lists_changes_newest_first(pipeline, caplog, staff):
    client = await pipeline.connect("/admin/audit", cookie=staff["cookie"])
    state = await client.state(AdminAuditState)
    actions = [entry["action"] for entry in state.entries]
    assert actions[:1] == ["staff_created"] and "app_granted" in actions
    await client.send(AdminAuditState.go_to_page, {"page": "2"})
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(AdminAuditState)).page == 1
