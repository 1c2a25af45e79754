"""The "Resend code in N s" countdown runs in the browser: the server says how long to wait, once, and no
handler of the verify page keeps running on the server, however often a client asks.

Through the real event pipeline; a tab on /verify carries the signup cookie in its socket's headers.
"""

from __future__ import annotations

import asyncio

from reflex.compiler import compiler

from portal_app.accounts import tickets
from portal_app.accounts.ui.signup_state import VerifyState
from portal_app.accounts.ui.verify_page import RESEND_READY, verify_page
from tests.support.accounts import begin_signup
from tests.support.hostile_input import assert_nothing_crashed
from tests.support.pipeline import router_data_for

EMAIL = "grace@example.com"
OLD_COUNTDOWN = f"{VerifyState.get_full_name()}.count_down"


def running_in_background(pipeline) -> list[asyncio.Task]:
    """Event tasks still running that the foreground wait does not count (background handlers)."""
    busy = set(pipeline._busy_tasks())
    return [task for task in pipeline.processor._tasks.values() if task not in busy and not task.done()]


async def open_verify(pipeline):
    flow = begin_signup(EMAIL)
    return await pipeline.connect("/verify", cookie=f"{tickets.SIGNUP_COOKIE}={flow}")


async def test_the_page_learns_the_wait_once_and_nothing_keeps_running(pipeline, caplog):
    client = await open_verify(pipeline)
    state = await client.state(VerifyState)
    assert state.status == "found" and 58 <= state.resend_wait <= 60 and state.resend_serial == 1
    assert running_in_background(pipeline) == []
    assert_nothing_crashed(pipeline, caplog)


async def test_a_client_asking_for_the_countdown_a_thousand_times_starts_no_loop(pipeline, caplog):
    client = await open_verify(pipeline)
    message = {"name": OLD_COUNTDOWN, "payload": {}, "router_data": router_data_for("/verify")}
    for _ in range(1000):
        await pipeline.namespace.on_event(client.sid, dict(message))
    await pipeline.settle()
    assert running_in_background(pipeline) == []
    # The tab still works: it answers its next event.
    await client.send(VerifyState.resend, {})
    assert (await client.state(VerifyState)).notice.startswith("You can ask for a new code in ")


async def test_no_handler_of_the_verify_page_runs_in_the_background():
    handlers = {name: handler for name, handler in VerifyState.event_handlers.items() if not name.startswith("_")}
    assert handlers and [name for name, handler in handlers.items() if handler.is_background] == []


async def test_every_count_from_the_server_restarts_the_browser_countdown(pipeline, caplog):
    client = await open_verify(pipeline)
    before = await client.state(VerifyState)
    serial = before.resend_serial
    await client.send(VerifyState.resend, {})
    await client.send(VerifyState.resend, {})
    after = await client.state(VerifyState)
    # Refused twice (too soon): each answer carries the wait again with a new serial, even if the number is equal.
    assert after.resend_serial == serial + 2 and 58 <= after.resend_wait <= 60
    assert running_in_background(pipeline) == []
    assert_nothing_crashed(pipeline, caplog)


async def test_the_browser_counts_down_from_the_servers_wait_and_opens_the_button_politely(pipeline):
    """What the compiled page does with the wait: a timer in the browser (no event per tick) drives the
    button's label and disabled state, and a polite live region says when the wait is over."""
    _, page_code = compiler.compile_page("verify", verify_page())
    wait = str(VerifyState.resend_wait)
    assert f"useState({wait})" in page_code and "setInterval(" in page_code
    assert f"[{wait}, {str(VerifyState.resend_serial)}]" in page_code
    assert "disabled:(resend_seconds_left > 0)" in page_code
    assert '"aria-live":"polite"' in page_code and RESEND_READY in page_code
    assert "count_down" not in page_code
