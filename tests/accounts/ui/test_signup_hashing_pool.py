"""A burst of signups through the real event pipeline: argon2 runs on its bounded pool, and while the pool is
held busy, another person's event (a page load that reads the database in a thread) still completes.

argon2 is held at a gate around the real hasher (nothing replaced), so "the pool is saturated" is a fact
of the test, not a matter of timing; the waits below are hang guards, not measurements.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlmodel import select

from portal_app.accounts.models import PendingSignup
from portal_app.accounts.ui.login_state import LoginState
from portal_app.accounts.ui.signup_state import SignupState
from portal_app.kernel import db
from tests.accounts.test_passwords import ArgonCalls
from tests.support.accounts import PASSWORD, sign_up
from tests.support.pipeline import event_name, router_data_for

BURST = 60
BUDGET = 20
HANG_GUARD = 30.0
EMPTY_FORM = {"form_data": {"full_name": "", "email": "", "password": ""}}


class StillWaiting(Exception):
    """The other visitor's event had not completed while argon2 was held."""


async def eventually(condition, seconds: float = HANG_GUARD) -> bool:
    """Poll an async condition until it holds; False when it still does not after `seconds` (a hang guard)."""

    async def poll():
        while not await condition():
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(poll(), seconds)
    except TimeoutError:
        return False
    return True


async def pool_busy(calls: ArgonCalls) -> bool:
    return calls.started >= 2


async def errors_cleared(client) -> bool:
    return (await client.state(SignupState)).email_error == ""


async def fire(pipeline, client, handler, payload) -> None:
    """Send an event without waiting for it (and what it chains) to finish."""
    message = {"name": event_name(handler), "payload": payload, "router_data": router_data_for(client.path)}
    await pipeline.namespace.on_event(client.sid, message)


async def visitor_showing_errors(pipeline):
    """Another visitor's /signup tab showing field errors; its on_load (SignupState.load) clears them after
    reading the business in a thread: the cheap event of these tests."""
    other = await pipeline.connect("/signup", ip="192.0.2.50")
    await other.send(SignupState.submit, EMPTY_FORM)
    assert (await other.state(SignupState)).email_error
    return other


@pytest.fixture
def held_argon(settings_env, monkeypatch):
    settings_env(PORTAL_PASSWORD_HASHING_THREADS="2")
    gate = threading.Event()
    calls = ArgonCalls(monkeypatch, gate)
    yield calls
    gate.set()


def pending_signups() -> int:
    with db.read_session() as session:
        return len(session.exec(select(PendingSignup)).all())


async def test_sixty_signups_hold_the_pool_and_another_visitors_event_still_completes(pipeline, held_argon):
    tabs = [await pipeline.connect("/signup", ip="203.0.113.9") for _ in range(BURST)]
    other = await visitor_showing_errors(pipeline)
    for number, tab in enumerate(tabs):
        form = {"full_name": "Burst Person", "email": f"person{number}@example.com", "password": PASSWORD}
        await fire(pipeline, tab, SignupState.submit, {"form_data": form})
    try:
        assert await eventually(lambda: pool_busy(held_argon))
        await fire(pipeline, other, SignupState.load, {})
        completed = await eventually(lambda: errors_cleared(other))
        finished_while_held = held_argon.finished
    finally:
        held_argon.gate.set()
    assert completed and finished_while_held == 0, "the other visitor's event waited for argon2"
    await pipeline.settle()
    assert pending_signups() == BUDGET and held_argon.hashes <= BUDGET and held_argon.most_at_once <= 2


async def test_forty_logins_hold_the_pool_and_another_visitors_event_still_completes(pipeline, held_argon):
    held_argon.gate.set()
    sign_up("owner@example.com")
    held_argon.gate.clear()
    tabs = [await pipeline.connect("/login", ip=f"198.51.100.{number}") for number in range(40)]
    other = await visitor_showing_errors(pipeline)
    for tab in tabs:
        await fire(
            pipeline, tab, LoginState.submit, {"form_data": {"email": "owner@example.com", "password": PASSWORD}}
        )
    try:
        assert await eventually(lambda: pool_busy(held_argon))
        await fire(pipeline, other, SignupState.load, {})
        if not await eventually(lambda: errors_cleared(other), seconds=10):
            raise StillWaiting
    finally:
        held_argon.gate.set()
        await pipeline.settle()


async def test_forty_password_changes_hold_the_pool_and_another_visitors_event_still_completes(pipeline, held_argon):
    """The /security password change waits for the pool on the event loop, as login and signup do."""
    from portal_app.accounts.ui.security_state import SecurityState
    from tests.support.live_accounts import make_account, start_session

    held_argon.gate.set()
    account = make_account("owner@example.com")
    tokens = [start_session(account) for _ in range(40)]
    held_argon.gate.clear()
    tabs = [await pipeline.connect("/security", cookie=f"portal_session={token}") for token in tokens]
    other = await visitor_showing_errors(pipeline)
    for tab in tabs:
        await fire(pipeline, tab, SecurityState.save_password, {"form_data": {"new_password": "fresh-orchard-lamp-81"}})
    try:
        assert await eventually(lambda: pool_busy(held_argon))
        await fire(pipeline, other, SignupState.load, {})
        if not await eventually(lambda: errors_cleared(other), seconds=10):
            raise StillWaiting
    finally:
        held_argon.gate.set()
        await pipeline.settle()
