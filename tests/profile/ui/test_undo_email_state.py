"""UndoEmailChangeState through the event pipeline: /profile/undo-email shows the link's state on load and undoes
only when its button is pressed; the token comes from the tab's URL, and any payload is ignored."""

from __future__ import annotations

import pytest

from portal_app.accounts import sessions, tickets
from portal_app.profile import email_change, email_revert, service
from portal_app.profile.ui.undo_email_state import UndoEmailChangeState
from tests.profile.email_steps import IP, PASSWORD, account, emails_to, give_password, latest_code, undo_token_in
from tests.support.hostile_input import ONE_MB, assert_human_message, assert_nothing_crashed, check_each
from tests.support.live_accounts import make_account, start_session
from tests.support.pipeline import event_name

NEW = "mallory@example.net"
PAGE = "/profile/undo-email"


@pytest.fixture
def hijacked(pipeline, frozen_clock) -> tuple[int, str, str]:
    """Ada's account moved to NEW by whoever had her session and password: (account id, her session, undo token)."""
    account_id = make_account("ada@example.com", "Ada Lovelace")
    give_password(account_id)
    token = start_session(account_id)
    service.save_profile(sessions.current_session(token), {"full_name": "Ada Lovelace", "email": NEW}, ip=IP)
    email_change.prove_identity(sessions.current_session(token), PASSWORD, ip=IP)
    email_change.confirm(sessions.current_session(token), latest_code(NEW), ip=IP)
    return account_id, token, undo_token_in(emails_to("ada@example.com")[-1])


async def test_opening_the_page_only_shows_what_the_button_would_do(pipeline, caplog, hijacked):
    account_id, token, link_token = hijacked
    for _ in range(2):
        tab = await pipeline.connect(f"{PAGE}?token={link_token}")
    assert_nothing_crashed(pipeline, caplog)
    state = await tab.state(UndoEmailChangeState)
    assert (state.status, state.old_email, state.new_email) == ("valid", "ada@example.com", NEW)
    assert account(account_id).email == NEW and sessions.current_session(token) is not None


async def test_the_button_undoes_the_change_and_signs_everyone_out(pipeline, caplog, hijacked):
    account_id, token, link_token = hijacked
    # The person may open the link in the browser that is (still) signed in: it is signed out too.
    tab = await pipeline.connect(f"{PAGE}?token={link_token}", cookie=f"{tickets.SESSION_COOKIE}={token}")
    await tab.send(UndoEmailChangeState.undo, {})
    assert_nothing_crashed(pipeline, caplog)
    state = await tab.state(UndoEmailChangeState)
    assert (state.status, state.error, state.busy) == ("done", "", False)
    assert (state.old_email, state.new_email) == ("ada@example.com", NEW)
    assert account(account_id).email == "ada@example.com" and account(account_id).password_hash is None
    assert sessions.current_session(token) is None

    # Pressing again, or opening the link again, does nothing more.
    await tab.send(UndoEmailChangeState.undo, {})
    again = await pipeline.connect(f"{PAGE}?token={link_token}")
    await again.send(UndoEmailChangeState.undo, {})
    state = await again.state(UndoEmailChangeState)
    assert state.status == "used" and state.message == email_revert.LINK_USED
    assert [e.template for e in emails_to("ada@example.com")].count("email_change_reverted") == 1


async def test_links_that_are_not_links_undo_nothing(pipeline, caplog, hijacked):
    account_id, _token, link_token = hijacked
    cases = {
        "none": PAGE,
        "empty": f"{PAGE}?token=",
        "garbage": f"{PAGE}?token=nope",
        "one-mb": f"{PAGE}?token={'a' * ONE_MB}",
        "script": f"{PAGE}?token=<script>alert(1)</script>",
        "almost": f"{PAGE}?token={link_token[:-1]}",
    }

    async def check(path):
        tab = await pipeline.connect(path)
        await tab.send(UndoEmailChangeState.undo, {"token": link_token})
        assert_nothing_crashed(pipeline, caplog)
        state = await tab.state(UndoEmailChangeState)
        assert state.status == "unknown" and state.old_email == "" and state.new_email == ""
        assert_human_message(state.message)
        assert account(account_id).email == NEW

    await check_each(pipeline, caplog, cases, check)


async def test_the_token_comes_from_the_tab_not_the_payload(pipeline, caplog, hijacked):
    account_id, _token, link_token = hijacked
    tab = await pipeline.connect(f"{PAGE}?token=nope")
    for payload in [{"token": link_token}, {"form_data": {"token": link_token}}, [link_token], link_token, None]:
        await tab.send_raw(
            {"name": event_name(UndoEmailChangeState.undo), "payload": payload, "router_data": {"pathname": PAGE}}
        )
    assert_nothing_crashed(pipeline, caplog)
    assert account(account_id).email == NEW


async def test_an_address_taken_since_is_said_on_the_page(pipeline, caplog, hijacked):
    account_id, _token, link_token = hijacked
    make_account("ada@example.com", "Someone Who Signed Up Since")
    tab = await pipeline.connect(f"{PAGE}?token={link_token}")
    await tab.send(UndoEmailChangeState.undo, {})
    state = await tab.state(UndoEmailChangeState)
    assert state.status == "taken" and state.message.startswith("ada@example.com now belongs to another account")
    assert account(account_id).email == NEW
    assert_nothing_crashed(pipeline, caplog)
