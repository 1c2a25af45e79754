"""Without a staff session no admin page or handler shows data or changes anything.

Every public handler of every admin state is sent, through the real event pipeline, by a tab
with no cookie, with a client's session cookie, and with cookies that are not a live staff
session. Each must leave no admin data in the tab's state, redirect it to /admin/login, and leave
the database as it was.
"""

from __future__ import annotations

import pytest

from portal_app.accounts import tickets
from portal_app.admin import staff_sessions
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.admin.ui.base_state import AdminState
from portal_app.admin.ui.contacts_state import AdminContactsState
from tests.support.admin import create_staff, staff_session_token
from tests.support.admin_states import (
    ADMIN_PAGES,
    ADMIN_STATES,
    SECRETS,
    client_session_cookie,
    database_snapshot,
    seed_client,
    staff_cookie,
    whole_state_text,
)
from tests.support.hostile_input import assert_nothing_crashed, check_each


def payloads(account_id: int) -> dict[str, dict]:
    """A plausible payload for each admin handler: what the admin pages would send."""
    target = str(account_id)
    return {
        "load": {},
        "search": {"form_data": {"query": "secret"}},
        "go_to_page": {"page": 1},
        "open_account": {"account_id": target},
        "close_account": {},
        "grant_app": {"account_id": target, "app_key": "communities"},
        "set_role": {"account_id": target, "app_key": "notes", "role": "unlimited"},
        "open_admin": {"key": "notes"},
        # An app's generated settings page: its handlers take the app's key.
        "AppSettingsAdminState.load": {"key": "notes"},
        "AppSettingsAdminState.save": {"key": "notes", "form_data": {"max_notes": "1"}},
        "revoke_app": {"account_id": target, "app_key": "courses"},
        "disable_account": {"account_id": target},
        "enable_account": {"account_id": target},
        "lift_locks": {"account_id": target},
        "invite": {"form_data": {"email": "new@client.example", "full_name": "Nia New", "apps.courses": "on"}},
        "save": {"form_data": {"name": "Hijacked", "brand_color": "#000000", "default_landing_app": "home"}},
    }


def handlers() -> list[tuple[type, str]]:
    return [(state, name) for state in ADMIN_STATES for name in state.event_handlers if name != "setvar"]


def test_every_admin_handler_has_a_payload_here():
    """A new handler must be added to payloads() so the refusal tests send it."""
    sent = payloads(1)
    missing = [f"{state.__name__}.{name}" for state, name in handlers() if name not in sent]
    assert missing == []


@pytest.fixture
def setup(pipeline, frozen_clock):
    account_id = seed_client()
    create_staff()
    live_staff = staff_session_token()
    frozen_clock.advance(seconds=61)  # past the wait between two emailed codes
    ended_staff = staff_session_token()
    staff_sessions.end_session(ended_staff)
    client_token = client_session_cookie(account_id)
    return {"account_id": account_id, "client_token": client_token, "live_staff": live_staff, "ended": ended_staff}


def cookie_cases(setup) -> dict[str, str | None]:
    client_token = setup["client_token"]
    return {
        "no-cookie": None,
        "client-session": f"{tickets.SESSION_COOKIE}={client_token}",
        "client-token-in-the-staff-cookie": f"{STAFF_COOKIE}={client_token}",
        "staff-token-in-the-client-cookie": f"{tickets.SESSION_COOKIE}={setup['live_staff']}",
        "ended-staff-session": f"{STAFF_COOKIE}={setup['ended']}",
        "garbage": f"{STAFF_COOKIE}=garbage",
        "one-mb": f"{STAFF_COOKIE}={'a' * 1_000_000}",
        "lookalike-name": f"x{STAFF_COOKIE}={setup['live_staff']}; {STAFF_COOKIE.upper()}={setup['live_staff']}",
    }


async def assert_refused(pipeline, caplog, client, before) -> None:
    assert_nothing_crashed(pipeline, caplog)
    text = await whole_state_text(client)
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == [], f"admin data in the state: {leaked}"
    assert (await client.state(AdminState)).staff_signed_in is False
    redirects = client.redirects()
    assert redirects and redirects[-1] == "/admin/login", redirects[-1:] or "no redirect"
    assert database_snapshot() == before


@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_admin_pages_refuse_without_a_staff_session(pipeline, caplog, setup, path):
    before = database_snapshot()

    async def check(cookie):
        client = await pipeline.connect(path, cookie=cookie)
        await assert_refused(pipeline, caplog, client, before)

    await check_each(pipeline, caplog, cookie_cases(setup), check)


async def test_every_admin_handler_refuses_without_a_staff_session(pipeline, caplog, setup):
    before = database_snapshot()
    sent = payloads(setup["account_id"])
    for state, name in handlers():
        if name == "load":
            continue

        async def check(cookie, state=state, name=name):
            client = await pipeline.connect("/admin/contacts", cookie=cookie)
            client.clear_updates()
            payload = sent.get(f"{state.__name__}.{name}", sent[name])
            await client.send(f"{state.get_full_name()}.{name}", payload, path="/admin/contacts")
            await assert_refused(pipeline, caplog, client, before)

        await check_each(pipeline, caplog, cookie_cases(setup), check)


async def test_a_staff_tab_loses_its_data_when_the_session_ends(pipeline, caplog, setup):
    client = await pipeline.connect("/admin/contacts", cookie=staff_cookie(setup["live_staff"]))
    await client.send(AdminContactsState.open_account, {"account_id": str(setup["account_id"])})
    text = await whole_state_text(client)
    assert all(secret in text for secret in ("ada.secret@client.example", "Ada Secretname"))
    staff_sessions.end_session(setup["live_staff"])
    before = database_snapshot()

    await client.send(AdminContactsState.grant_app, {"account_id": str(setup["account_id"]), "app_key": "affiliates"})

    await assert_refused(pipeline, caplog, client, before)


async def test_setvar_cannot_open_the_admin_frame(pipeline, caplog, setup):
    """setvar exists on every state; without auto setters it sets nothing (Reflex raises inside it)."""
    client = await pipeline.connect("/admin/contacts", cookie=None)
    for var, value in (("staff_signed_in", True), ("rows", [{"id": "1"}])):
        for state in ADMIN_STATES:
            await client.send(f"{state.get_full_name()}.setvar", {"var_name": var, "value": value})
    pipeline.escaped.clear()
    caplog.clear()
    assert (await client.state(AdminState)).staff_signed_in is False
    assert (await client.state(AdminContactsState)).rows == []
