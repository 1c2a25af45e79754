"""/security's browsers and security log through the event pipeline: shown for the signed-in account only,
"Sign out" refuses every id that is not one of its other sessions, whatever the payload."""

from __future__ import annotations

import pytest

from portal_app.accounts import sessions
from portal_app.accounts.ui.security_state import SecurityState
from tests.support.hostile_input import NOT_A_STRING, assert_nothing_crashed
from tests.support.live_accounts import make_account, start_session


@pytest.fixture
def ada(pipeline) -> dict:
    account = make_account("ada@example.com")
    return {"id": account, "here": start_session(account), "phone": start_session(account)}


async def open_security(pipeline, token: str):
    client = await pipeline.connect("/security", cookie=f"portal_session={token}")
    return client, await client.state(SecurityState)


async def test_the_page_lists_this_account_s_browsers_and_its_log(pipeline, caplog, ada):
    bob = make_account("bob@example.com")
    start_session(bob)
    _, state = await open_security(pipeline, ada["here"])
    assert_nothing_crashed(pipeline, caplog)
    assert [browser["current"] for browser in state.browsers] == ["yes", ""]
    assert {event["what"] for event in state.events} == {"Signed in"}
    assert len(state.events) == 2  # Ada's two sign-ins, none of Bob's


async def test_sign_out_refuses_every_id_but_another_session_of_this_account(pipeline, caplog, ada):
    bob = make_account("bob@example.com")
    bob_token = start_session(bob)
    client, state = await open_security(pipeline, ada["here"])
    here_id = sessions.current_session(ada["here"]).id
    for payload in [str(sessions.current_session(bob_token).id), str(here_id), "-1", "1e9", "", *NOT_A_STRING.values()]:
        await client.send(SecurityState.sign_out_browser, {"session_id": payload})
    assert_nothing_crashed(pipeline, caplog)
    assert sessions.current_session(bob_token) is not None
    assert sessions.current_session(ada["here"]) is not None and sessions.current_session(ada["phone"]) is not None
    phone_id = sessions.current_session(ada["phone"]).id
    await client.send(SecurityState.sign_out_browser, {"session_id": str(phone_id)})
    state = await client.state(SecurityState)
    assert state.browsers_notice == "That browser is signed out."
    assert sessions.current_session(ada["phone"]) is None
    assert [browser["current"] for browser in state.browsers] == ["yes"]


async def test_sign_out_everywhere_else(pipeline, caplog, ada):
    client, _ = await open_security(pipeline, ada["here"])
    await client.send(SecurityState.sign_out_everywhere_else, {})
    state = await client.state(SecurityState)
    assert state.browsers_notice == "Signed out 1 other browser."
    assert sessions.current_session(ada["phone"]) is None and sessions.current_session(ada["here"]) is not None
    assert state.events[0]["what"] == "Signed out everywhere else"


async def test_without_a_session_the_handlers_end_nothing(pipeline, caplog, ada):
    client = await pipeline.connect("/security")
    phone_id = sessions.current_session(ada["phone"]).id
    await client.send(SecurityState.sign_out_browser, {"session_id": str(phone_id)})
    await client.send(SecurityState.sign_out_everywhere_else, {})
    assert_nothing_crashed(pipeline, caplog)
    assert sessions.current_session(ada["phone"]) is not None
    state = await client.state(SecurityState)
    assert state.browsers == [] and state.events == []
