"""LoginState.submit and LoginState.load through the event pipeline."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from sqlmodel import select

from portal_app.accounts import sessions, tickets
from portal_app.accounts.login import INCORRECT
from portal_app.accounts.models import Account, LoginTicket
from portal_app.accounts.ui.login_state import LoginState
from portal_app.kernel import db
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from tests.support.accounts import PASSWORD, sign_up
from tests.support.browser import TEST_BROWSER
from tests.support.hostile_input import (
    NOT_A_FORM,
    NOT_A_STRING,
    ONE_MB,
    assert_human_message,
    assert_nothing_crashed,
    check_each,
    row_counts,
)

EMAIL = "ada@example.com"
GOOD = {"email": EMAIL, "password": PASSWORD}


@pytest.fixture
def account(pipeline, settings_env) -> int:
    """An account made through the real signup services (its one ticket stays unused).

    The throttles are opened wide: these tests send many refused logins from one address, and
    what they check is each refusal, not the counting (tests/accounts/test_login.py does that).
    """
    settings_env(PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE="100000", PORTAL_LOGIN_FAILURES_PER_EMAIL="100000")
    sign_up(EMAIL)
    with db.read_session() as session:
        return session.exec(select(Account.id)).one()


def tickets_issued() -> list[LoginTicket]:
    with db.read_session() as session:
        return list(session.exec(select(LoginTicket)))


async def log_in(pipeline, form_data, *, path: str = "/login"):
    client = await pipeline.connect(path)
    await client.send(LoginState.submit, {"form_data": form_data})
    return client, await client.state(LoginState)


def assert_refused(pipeline, caplog, client, state, before, message: str = INCORRECT) -> None:
    assert_nothing_crashed(pipeline, caplog)
    assert state.error == message
    assert_human_message(state.error)
    assert state.busy is False
    assert row_counts() == before, "a refused login changed accounts, sessions, tickets or emails"
    assert not [script for script in client.scripts() if "/auth/ticket" in script]


async def test_the_right_password_hands_out_a_session_ticket(pipeline, caplog, account):
    before = row_counts()
    client, state = await log_in(pipeline, GOOD)

    assert_nothing_crashed(pipeline, caplog)
    assert state.error == "" and state.busy is False
    assert row_counts()["LoginTicket"] == before["LoginTicket"] + 1
    assert [script for script in client.scripts() if "/auth/ticket?t=" in script]


def ticket_in(client) -> str:
    [script] = [script for script in client.scripts() if "/auth/ticket?t=" in script]
    return unquote(script.split("/auth/ticket?t=", 1)[1].split("'", 1)[0].split('"', 1)[0])


async def test_the_ticket_is_bound_to_the_browser_that_logged_in(pipeline, caplog, account):
    """The login writes its ticket bound to the page's browser (its binding cookie), in the login's own
    transaction: that browser redeems it, another cannot bind or redeem it; a page without the cookie gets a
    ticket that redeems nowhere."""
    client = await pipeline.connect("/login", cookie=f"{DEVICE_COOKIE}={TEST_BROWSER}")
    await client.send(LoginState.submit, {"form_data": GOOD})
    assert_nothing_crashed(pipeline, caplog)
    ticket = ticket_in(client)
    other = "another-browser-binding-token-0123456789ab"
    assert tickets.bind_to_browser(ticket, other) is False
    assert tickets.redeem_ticket(ticket, user_agent="pytest", ip="203.0.113.9", browser_token=other) is None
    grant = tickets.redeem_ticket(ticket, user_agent="pytest", ip="203.0.113.9", browser_token=TEST_BROWSER)
    assert grant is not None and grant.account_id == account

    client = await pipeline.connect("/login")
    await client.send(LoginState.submit, {"form_data": GOOD})
    unbound = ticket_in(client)
    for browser in (TEST_BROWSER, "", None):
        assert tickets.redeem_ticket(unbound, user_agent="pytest", ip="203.0.113.9", browser_token=browser) is None


async def test_extra_keys_in_the_form_are_ignored(pipeline, caplog, account):
    form = {**GOOD, "account_id": 999, "next": "https://evil.example/", "remember": {"days": 10_000}}
    client, state = await log_in(pipeline, form)

    assert_nothing_crashed(pipeline, caplog)
    assert state.error == ""
    newest = max(tickets_issued(), key=lambda ticket: ticket.id)
    assert (newest.account_id, newest.next_path) == (account, "/")


BAD_VALUES = {
    "one-mb": "a" * ONE_MB,
    "nul": "\x00",
    "control-characters": "\x1b[2J\x07\x08",
    "right-to-left-override": "\u202e",
    "lone-surrogates": "\ud800\udfff",
    "emoji": "😀" * 10,
    "right-to-left-text": "كلمة المرور",
}


def refusal_cases() -> dict:
    cases = {f"form-{kind}": value for kind, value in NOT_A_FORM.items()}
    for field in ("email", "password"):
        real = GOOD[field]
        cases[f"{field}-missing"] = {key: value for key, value in GOOD.items() if key != field}
        cases.update({f"{field}-{kind}": {**GOOD, field: value} for kind, value in NOT_A_STRING.items()})
        cases.update({f"{field}-{kind}": {**GOOD, field: value} for kind, value in BAD_VALUES.items()})
        cases[f"{field}-real-value-plus-one-mb"] = {**GOOD, field: real + "a" * ONE_MB}
        cases[f"{field}-real-value-plus-nul"] = {**GOOD, field: real + "\x00"}
        cases[f"{field}-real-value-plus-lone-surrogate"] = {**GOOD, field: real + "\ud800"}
        cases[f"{field}-real-value-behind-an-override"] = {**GOOD, field: "\u202e" + real}
    cases["both-one-mb"] = {"email": "é" * ONE_MB, "password": "é" * ONE_MB}
    return cases


async def test_any_bad_input_is_refused_with_the_one_message(pipeline, caplog, account):
    before = row_counts()

    async def check(form_data):
        client, state = await log_in(pipeline, form_data)
        assert_refused(pipeline, caplog, client, state, before)

    await check_each(pipeline, caplog, refusal_cases(), check)


NEXT_VALUES = {
    "other-site": "//evil.example/",
    "absolute-url": "https://evil.example/",
    "backslash": "/\\evil.example",
    "javascript": "javascript:alert(1)",
    "one-mb": "/" + "a" * ONE_MB,
    "lone-surrogate": "/\ud800",
    "nul": "/a\x00b",
    "line-separator": "/a\u2028b",
}


async def test_a_hostile_next_parameter_sends_the_browser_home(pipeline, caplog, account):
    async def check(next_path):
        # Unencoded: a scripted client puts whatever it likes in the router data's asPath.
        client, state = await log_in(pipeline, GOOD, path=f"/login?next={next_path}")
        assert_nothing_crashed(pipeline, caplog)
        assert state.error == ""
        newest = max(tickets_issued(), key=lambda ticket: ticket.id)
        assert (newest.kind, newest.next_path) == (tickets.SESSION_TICKET, "/")

    await check_each(pipeline, caplog, NEXT_VALUES, check)


# --- load: no argument; the inputs are the cookie and the page's query --------------------------


async def test_load_without_a_live_session_stays_on_the_login_page(pipeline, caplog):
    cookies = {
        "none": None,
        "garbage": f"{tickets.SESSION_COOKIE}=garbage",
        "one-mb": f"{tickets.SESSION_COOKIE}={'a' * ONE_MB}",
        "malformed": f'{tickets.SESSION_COOKIE}="unterminated; ;;=',
        "non-ascii-bytes": f"{tickets.SESSION_COOKIE}=".encode() + bytes(range(0x80, 0x100)),
    }
    queries = {"plain": "", "expired": "?expired=1&next=//evil.example/", "odd-next": "?next=/\ud800" + "x" * ONE_MB}
    cases = {f"{c}-{q}": (cookie, query) for c, cookie in cookies.items() for q, query in queries.items()}

    async def check(case):
        cookie, query = case
        client = await pipeline.connect(f"/login{query}", cookie=cookie)
        await client.send(LoginState.load, {})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(LoginState)
        assert state.error == "" and state.busy is False and state.business_name == "Test Business"
        assert client.redirects() == []
        if "expired" in query:
            assert_human_message(state.notice)

    await check_each(pipeline, caplog, cases, check)


@pytest.mark.parametrize(
    ("query", "target"),
    [("", "/"), ("?next=/documents", "/documents"), ("?next=//evil.example/", "/"), ("?next=/" + "a" * 600, "/")],
)
async def test_load_with_a_live_session_redirects_to_a_safe_next_page(pipeline, caplog, account, query, target):
    with db.write_session() as session:
        token = sessions.create_session(session, account_id=account, auth_method="password", user_agent="t", ip="")
    client = await pipeline.connect(f"/login{query}", cookie=f"{tickets.SESSION_COOKIE}={token}")

    assert_nothing_crashed(pipeline, caplog)
    assert client.redirects() == [target]
