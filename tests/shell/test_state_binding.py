"""A tab's cached state goes only to the sign-in it was loaded under: reconnecting with the tab's client token
but without its session (a token read from a log), after the session ended, or under another account's
cookie, gets the defaults, never the account data the tab's pages had loaded."""

from __future__ import annotations

import json

import pytest

from portal_app.accounts import sessions
from portal_app.accounts.ui.security_state import SecurityState
from portal_app.shell.ui import state_binding
from portal_app.shell.ui.state_binding import NEW_TREE, SIGNED_OUT, USED_UNBOUND, SessionBinding, signed_in_as
from tests.support.live_accounts import IP, make_account, start_session

EMAIL = "ada@example.com"


def sent_to(pipeline, token: str) -> str:
    return json.dumps([update.delta for owner, update in pipeline.updates if owner == token], default=str)


@pytest.fixture
def ada(pipeline) -> str:
    return start_session(make_account(EMAIL))


async def open_security(pipeline, token: str):
    client = await pipeline.connect("/security", cookie=f"portal_session={token}")
    state = await client.state(SecurityState)
    assert state.browsers and IP in sent_to(pipeline, client.token)
    return client


@pytest.mark.parametrize("cookie", [None, "portal_session=not-a-live-session-token-0123456789abcdef"])
async def test_a_stolen_client_token_without_the_session_gets_nothing(pipeline, ada, cookie):
    client = await open_security(pipeline, ada)
    await client.disconnect()
    pipeline.updates.clear()
    again = await pipeline.connect("/login", cookie=cookie, token=client.token)
    assert again.token == client.token
    assert IP not in sent_to(pipeline, client.token)
    state = await client.state(SecurityState)
    assert state.browsers == [] and state.events == []


async def test_a_reconnect_after_the_session_ended_gets_nothing(pipeline, ada):
    client = await open_security(pipeline, ada)
    sessions.end_session(ada)
    await client.disconnect()
    pipeline.updates.clear()
    await pipeline.connect("/security", cookie=f"portal_session={ada}", token=client.token)
    assert IP not in sent_to(pipeline, client.token)


async def test_a_reconnect_under_another_accounts_cookie_gets_nothing_of_the_first(pipeline, ada):
    client = await open_security(pipeline, ada)
    bob = start_session(make_account("bob@example.com"))
    await client.disconnect()
    pipeline.updates.clear()
    await pipeline.connect("/", cookie=f"portal_session={bob}", token=client.token)
    assert IP not in sent_to(pipeline, client.token)
    state = await client.state(SecurityState)
    assert state.browsers == []


async def test_a_plain_reconnect_of_the_same_session_keeps_the_page(pipeline, ada):
    client = await open_security(pipeline, ada)
    await client.disconnect()
    await pipeline.connect("/security", cookie=f"portal_session={ada}", token=client.token)
    state = await client.state(SecurityState)
    assert state.browsers and state.browsers[0]["current"] == "yes"


async def test_a_tree_filled_before_any_boot_event_is_still_reset_for_a_stranger(pipeline, ada):
    """A tab whose tree was rebuilt by a click (Reflex drops idle trees) holds that click's data before any
    boot event bound it: someone who then boots with the token gets nothing of it."""
    victim = await pipeline.connect("/security", cookie=f"portal_session={ada}")
    for key in [key for key in pipeline.manager.states if victim.token in str(key)]:
        pipeline.manager.states.pop(key)  # the tab's tree expired: its next event builds a new one
    await victim.send(SecurityState.load)
    assert (await victim.state(SecurityState)).browsers, "the click loaded the account's data"
    await victim.disconnect()
    pipeline.updates.clear()
    await pipeline.connect("/login", cookie=None, token=victim.token)
    assert IP not in sent_to(pipeline, victim.token)
    assert (await victim.state(SecurityState)).browsers == []


async def test_a_new_tab_is_bound_without_a_reset_and_loads_its_page(pipeline, ada):
    client = await open_security(pipeline, ada)
    binding = await client.state(SessionBinding)
    assert binding._bound_to not in (NEW_TREE, USED_UNBOUND, "")


@pytest.mark.parametrize(
    ("cookie", "looked_up"),
    [
        (None, False),
        ("theme=dark", False),
        ("portal_session=", False),
        ("portal_session", False),
        ("portal_session=not-a-live-session-token-0123456789abcdef", True),
        ("portal_staff=not-a-live-staff-token-0123456789abcdef", True),
    ],
)
async def test_a_page_load_looks_the_sign_ins_up_only_when_it_carries_a_session_cookie(
    pipeline, monkeypatch, cookie, looked_up
):
    asked: list[tuple] = []

    def counted(client, staff) -> str:
        asked.append((client, staff))
        return signed_in_as(client, staff)

    monkeypatch.setattr(state_binding, "signed_in_as", counted)
    client = await pipeline.connect("/login", cookie=cookie)
    assert bool(asked) is looked_up
    # Either way the tab is bound as signed out: nothing it loads can be another sign-in's.
    assert (await client.state(SessionBinding))._bound_to == SIGNED_OUT
