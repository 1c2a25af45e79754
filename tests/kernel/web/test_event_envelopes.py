"""Messages no compiled frontend sends, but any socket client can: the wrong argument names or no dict at all.

Reflex calls `handler(state, **payload)`, so these fail before the handler's own checks run. The
rule still holds: nothing escapes as an unhandled exception (no "[Reflex Backend Exception]"
traceback in the log, no error toast), nothing is stored, and the page is not left busy.
"""

from __future__ import annotations

import pytest

from portal_app.accounts.ui.login_state import LoginState
from portal_app.accounts.ui.signup_state import SignupState, VerifyState
from portal_app.shell.ui.session_state import SessionState
from tests.support.hostile_input import ONE_MB, assert_nothing_crashed, check_each, row_counts
from tests.support.pipeline import event_name, router_data_for

FORM = {"full_name": "Ada", "email": "ada@example.com", "password": "plum-velvet-orbit-42", "code": "123456"}

# (handler, page it lives on, whether it takes form_data)
HANDLERS = {
    "SignupState.submit": (SignupState.submit, "/signup", SignupState, True),
    "VerifyState.verify": (VerifyState.verify, "/verify", VerifyState, True),
    "VerifyState.resend": (VerifyState.resend, "/verify", VerifyState, False),
    "LoginState.submit": (LoginState.submit, "/login", LoginState, True),
    "LoginState.load": (LoginState.load, "/login", LoginState, False),
    "SessionState.require_account": (SessionState.require_account, "/", SessionState, False),
}

COMMON_ENVELOPES = {
    "payload-null": None,
    "payload-string": "form_data",
    "payload-list": [FORM],
    "payload-int": 1,
    "unknown-argument": {"unexpected": 1},
    "one-mb-argument-name": {"x" * ONE_MB: 1},
}
FORM_ENVELOPES = {
    "form-data-missing": {},
    "form-data-plus-extra-argument": {"form_data": FORM, "extra": True},
    "form-data-under-another-name": {"data": FORM},
    "positional-style": {"0": FORM},
}


@pytest.mark.parametrize("name", HANDLERS)
async def test_a_malformed_event_is_dropped_quietly(pipeline, caplog, name):
    handler, page, state_cls, takes_form = HANDLERS[name]
    envelopes = {**COMMON_ENVELOPES, **(FORM_ENVELOPES if takes_form else {})}
    before = row_counts()

    async def check(payload):
        client = await pipeline.connect(page)
        await client.send_raw({"name": event_name(handler), "payload": payload, "router_data": router_data_for(page)})
        assert_nothing_crashed(pipeline, caplog)
        assert row_counts() == before
        state = await client.state(state_cls)
        assert getattr(state, "busy", False) is False
        assert getattr(state, "signed_in", False) is False

    await check_each(pipeline, caplog, envelopes, check)
