"""/admin/login through the event pipeline: two steps, a ticket bound to this browser, one message for failures."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from sqlmodel import select

from portal_app.admin import staff_login
from portal_app.admin.models import StaffTicket
from portal_app.admin.ui.login_state import CODE_STEP, PASSWORD_STEP, AdminLoginState
from portal_app.kernel import db
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from tests.support.admin import (
    BROWSER,
    OTHER_BROWSER,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    create_staff,
    latest_staff_code,
    staff_session_token,
)
from tests.support.admin_states import database_snapshot, staff_cookie
from tests.support.hostile_input import NOT_A_FORM, assert_human_message, assert_nothing_crashed, check_each

DEVICE = f"{DEVICE_COOKIE}={BROWSER}"
GOOD = {"email": STAFF_EMAIL, "password": STAFF_PASSWORD}


@pytest.fixture
def owner(pipeline, frozen_clock, settings_env):
    settings_env(PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE="100000", PORTAL_LOGIN_FAILURES_PER_EMAIL="100000")
    return create_staff()


def ticket_in(client) -> str | None:
    for script in client.scripts():
        found = re.search(r"/admin/auth/ticket\?t=([^\"]+)", script)
        if found:
            return unquote(found.group(1))
    return None


async def test_password_then_code_then_a_ticket_bound_to_this_browser(pipeline, caplog, owner):
    client = await pipeline.connect("/admin/login", cookie=DEVICE)
    await client.send(AdminLoginState.submit_password, {"form_data": GOOD})
    state = await client.state(AdminLoginState)
    assert (state.step, state.code_email, state.error) == (CODE_STEP, STAFF_EMAIL, "")
    assert state.notice.startswith(f"We emailed a 6-digit code to {STAFF_EMAIL}.")

    await client.send(
        AdminLoginState.submit_code, {"form_data": {"code": "000000" if latest_staff_code() != "000000" else "111111"}}
    )
    assert (await client.state(AdminLoginState)).code_error == "That code is not right. You have 4 attempts left."
    assert ticket_in(client) is None

    await client.send(AdminLoginState.submit_code, {"form_data": {"code": latest_staff_code()}})
    assert_nothing_crashed(pipeline, caplog)
    ticket = ticket_in(client)
    assert ticket is not None
    # Bound to this browser: another cannot redeem it, this one can, once.
    assert staff_login.redeem_ticket(ticket, browser_token=OTHER_BROWSER, user_agent="", ip="") is None
    assert staff_login.redeem_ticket(ticket, browser_token=BROWSER, user_agent="", ip="") is not None
    assert staff_login.redeem_ticket(ticket, browser_token=BROWSER, user_agent="", ip="") is None


async def test_wrong_and_unknown_answer_alike(pipeline, caplog, owner):
    answers = []
    for form in ({**GOOD, "password": "wrong-password-1"}, {**GOOD, "email": "nobody@studio.example"}):
        client = await pipeline.connect("/admin/login", cookie=DEVICE)
        await client.send(AdminLoginState.submit_password, {"form_data": form})
        state = await client.state(AdminLoginState)
        answers.append((state.step, state.error, state.notice))
    assert answers == [(PASSWORD_STEP, "Email or password is incorrect.", "")] * 2


async def test_odd_payloads_fail_like_a_wrong_password(pipeline, caplog, owner):
    before = database_snapshot()

    async def check(form):
        client = await pipeline.connect("/admin/login", cookie=DEVICE)
        await client.send(AdminLoginState.submit_password, {"form_data": form})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(AdminLoginState)
        assert state.step == PASSWORD_STEP
        assert_human_message(state.error)
        assert database_snapshot() == before

    await check_each(pipeline, caplog, NOT_A_FORM, check)


async def test_the_code_step_cannot_be_skipped(pipeline, caplog, owner):
    client = await pipeline.connect("/admin/login", cookie=DEVICE)
    await client.send(AdminLoginState.submit_code, {"form_data": {"code": "123456"}})
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(AdminLoginState)).step == PASSWORD_STEP
    assert ticket_in(client) is None
    with db.read_session() as session:
        assert session.exec(select(StaffTicket)).all() == []


async def test_without_the_binding_cookie_step_one_asks_for_a_reload(pipeline, caplog, owner):
    client = await pipeline.connect("/admin/login")
    await client.send(AdminLoginState.submit_password, {"form_data": GOOD})
    assert (await client.state(AdminLoginState)).error == staff_login.NO_BROWSER_COOKIE


async def test_a_signed_in_staff_member_goes_to_the_dashboard(pipeline, caplog, owner):
    client = await pipeline.connect("/admin/login", cookie=staff_cookie(staff_session_token()))
    assert client.redirects() == ["/admin"]


async def test_start_again_returns_to_step_one(pipeline, caplog, owner):
    client = await pipeline.connect("/admin/login", cookie=DEVICE)
    await client.send(AdminLoginState.submit_password, {"form_data": GOOD})
    await client.send(AdminLoginState.start_again, {})
    state = await client.state(AdminLoginState)
    assert (state.step, state.code_email) == (PASSWORD_STEP, "")
