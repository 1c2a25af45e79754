"""SessionState.require_account through the event pipeline (logout is a POST route: tests/accounts/test_logout.py).

The identity is the HttpOnly session cookie, read from the Cookie header of the socket's upgrade
request (router data built server side): nothing the client puts in an event can sign it in.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from sqlmodel import select

from portal_app.accounts import sessions, tickets
from portal_app.accounts.models import Account, UserSession
from portal_app.accounts.validation import safe_next_path
from portal_app.kernel import db, tokens
from portal_app.shell.ui.session_state import SessionState
from tests.support.hostile_input import ONE_MB, assert_nothing_crashed, check_each

COOKIE = tickets.SESSION_COOKIE


@pytest.fixture
def account(pipeline, frozen_clock) -> int:
    with db.write_session() as session:
        row = Account(email="ada@example.com", full_name="Ada King Lovelace", created_at=frozen_clock.current)
        session.add(row)
        session.flush()
        return row.id


def start_session(account_id: int) -> str:
    with db.write_session() as session:
        return sessions.create_session(
            session, account_id=account_id, auth_method="password", user_agent="pytest", ip="203.0.113.5"
        )


def session_rows() -> list[UserSession]:
    with db.read_session() as session:
        return list(session.exec(select(UserSession)))


async def assert_not_signed_in(pipeline, caplog, client, path: str = "/") -> None:
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(SessionState)
    assert state.signed_in is False and state.full_name == "" and state.initials == "?"
    redirects = client.redirects()
    assert redirects, "no redirect to /login"
    assert redirects[-1] == f"/login?next={path}", redirects[-1][:200]


async def test_a_live_session_signs_in_and_shows_the_name(pipeline, caplog, account):
    token = start_session(account)
    client = await pipeline.connect("/", cookie=f"theme=dark; {COOKIE}={token}; lang=en")

    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(SessionState)
    assert state.signed_in is True and state.full_name == "Ada King Lovelace" and state.initials == "AK"
    assert client.redirects() == []

    # Sent again by hand (any client may), with an unused payload-free event: still the same answer.
    await client.send(SessionState.require_account, {})
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(SessionState)).signed_in is True and client.redirects() == []


async def test_cookies_that_are_not_a_live_session_do_not_sign_in(pipeline, caplog, account, frozen_clock):
    ended = start_session(account)
    sessions.end_session(ended)
    expired = start_session(account)
    frozen_clock.advance(days=8)  # past the idle timeout for `expired`...
    live = start_session(account)  # ...but not for a session made now.
    with db.write_session() as session:
        orphan_account = Account(email="gone@example.com", full_name="Gone", created_at=frozen_clock.current)
        session.add(orphan_account)
        session.flush()
        orphan_id = orphan_account.id
    orphan = start_session(orphan_id)
    with db.write_session() as session:
        session.delete(session.get(Account, orphan_id))

    cases = {
        "no-cookie-header": None,
        "empty-header": "",
        "other-cookies-only": "theme=dark; lang=en",
        "empty-value": f"{COOKIE}=",
        "garbage": f"{COOKIE}=garbage",
        "one-mb": f"{COOKIE}={'a' * ONE_MB}",
        "one-mb-header-of-other-cookies": "; ".join(f"c{i}={'x' * 100}" for i in range(10_000)),
        "129-characters": f"{COOKIE}={'a' * 129}",
        "live-token-plus-one-character": f"{COOKIE}={live}x",
        "live-token-hash-instead": f"{COOKIE}={tokens.hash_token(live)}",
        "live-token-in-the-signup-cookie": f"{tickets.SIGNUP_COOKIE}={live}",
        "live-token-under-a-lookalike-name": f"x{COOKIE}={live}; {COOKIE.upper()}={live}",
        "malformed-header": f'{COOKIE}="unterminated; ;;=; =x',
        "quoted-garbage": f'{COOKIE}="\\"\\012\\000"',
        "non-ascii-bytes": f"{COOKIE}=".encode() + bytes(range(0x80, 0x100)),
        "utf8-emoji-bytes": f"{COOKIE}=😀".encode(),
        "nul-and-controls": f"{COOKIE}=abc\x00\x1b\x07def",
        "ended-session": f"{COOKIE}={ended}",
        "idle-expired-session": f"{COOKIE}={expired}",
        "account-deleted": f"{COOKIE}={orphan}",
    }

    async def check(cookie):
        client = await pipeline.connect("/", cookie=cookie)
        await assert_not_signed_in(pipeline, caplog, client)

    await check_each(pipeline, caplog, cases, check)
    assert (await pipeline.connect("/", cookie=f"{COOKIE}={live}")).redirects() == [], (
        "the live session stopped working"
    )


async def test_an_absolutely_expired_session_does_not_sign_in(pipeline, caplog, account, frozen_clock):
    token = start_session(account)
    for _ in range(6):  # keep it from idling out, until the 30-day limit passes
        frozen_clock.advance(days=6)
        sessions.account_for_token(token)
    client = await pipeline.connect("/", cookie=f"{COOKIE}={token}")
    await assert_not_signed_in(pipeline, caplog, client)
    assert session_rows() == []


async def test_a_signed_out_tab_is_not_signed_in_by_an_event_payload(pipeline, caplog, account):
    """The handler takes no argument: a client cannot hand it an identity."""
    token = start_session(account)
    client = await pipeline.connect("/")
    await client.send(
        SessionState.require_account,
        {},
        path=f"/?{COOKIE}={token}",
    )
    await assert_not_signed_in(pipeline, caplog, client)


async def test_a_signed_in_tab_is_signed_out_when_its_session_ends(pipeline, caplog, account):
    token = start_session(account)
    client = await pipeline.connect("/", cookie=f"{COOKIE}={token}")
    assert (await client.state(SessionState)).signed_in is True
    sessions.end_session(token)

    await client.send(SessionState.require_account, {})

    await assert_not_signed_in(pipeline, caplog, client)


ODD_PATHS = {
    "nested": "/documents/2024",
    "percent-encoded": "/a%20b",
    "other-site": "//evil.example/x",
    "backslash": "/\\evil.example",
    "one-mb": "/" + "a" * ONE_MB,
    "nul": "/a\x00b",
    "line-separator": "/a\u2028b",
    "right-to-left-override": "/a\u202eb",
    "lone-surrogate": "/\ud800x",
    "emoji": "/😀",
}


async def require_account_on(pipeline, path: str):
    """A signed-out tab sends require_account from `path` (router data is the client's to choose)."""
    client = await pipeline.connect("/")
    client.clear_updates()
    await client.send(SessionState.require_account, {}, path=path)
    return client


async def test_any_page_path_gets_a_redirect_to_login_without_crashing(pipeline, caplog):
    async def check(path):
        client = await require_account_on(pipeline, path)
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(SessionState)).signed_in is False
        [redirect] = client.redirects()
        assert redirect.startswith("/login?next="), redirect[:200]

    await check_each(pipeline, caplog, ODD_PATHS, check)


async def test_the_login_redirect_carries_only_a_safe_short_next_path(pipeline, caplog):
    """The path is echoed into next=: the login page cleans it again, but it should leave here clean."""

    async def check(path):
        client = await require_account_on(pipeline, path)
        [redirect] = client.redirects() or ["(no redirect)"]
        assert len(redirect) <= 600, f"{len(redirect)}-character redirect"
        next_path = unquote(redirect.removeprefix("/login?next="))
        assert safe_next_path(next_path) == next_path, f"unsafe next: {next_path[:100]!r}"

    await check_each(pipeline, caplog, ODD_PATHS, check)
