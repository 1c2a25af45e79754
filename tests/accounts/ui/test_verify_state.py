"""VerifyState.verify and VerifyState.resend through the event pipeline.

The pending signup is found through the HttpOnly signup cookie of the socket's upgrade request,
never through anything the client puts in an event.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.accounts import tickets
from portal_app.accounts.models import Account, EmailCode, PendingSignup
from portal_app.accounts.signup import SIGNUP_EXPIRED
from portal_app.accounts.ui.signup_state import VerifyState
from portal_app.kernel import db
from tests.support.accounts import begin_signup, latest_code
from tests.support.hostile_input import (
    NOT_A_FORM,
    NOT_A_STRING,
    ONE_MB,
    assert_human_message,
    assert_nothing_crashed,
    check_each,
    row_counts,
)

EMAIL = "grace@example.com"
ENTER_CODE = "Enter the 6-digit code from the email."


def code_attempts() -> list[int]:
    with db.read_session() as session:
        return [code.attempts for code in session.exec(select(EmailCode))]


def accounts() -> list[Account]:
    with db.read_session() as session:
        return list(session.exec(select(Account)))


@pytest.fixture
def flow_token(pipeline) -> str:
    """A pending signup, and the token its signup cookie would carry."""
    return begin_signup(EMAIL, full_name="Grace Hopper")


@pytest.fixture
async def verifying(pipeline, flow_token):
    """A tab on /verify whose socket carries the signup cookie."""
    client = await pipeline.connect("/verify", cookie=f"theme=dark; {tickets.SIGNUP_COOKIE}={flow_token}")
    state = await client.state(VerifyState)
    assert (state.status, state.email) == ("found", EMAIL)
    return client


def assert_code_refused(pipeline, caplog, state, before: dict[str, int], message: str = ENTER_CODE) -> None:
    assert_nothing_crashed(pipeline, caplog)
    assert state.code_error == message
    assert_human_message(state.code_error)
    assert state.busy is False
    assert row_counts() == before, "bad input changed the database"
    assert accounts() == []


async def test_the_right_code_creates_the_account(pipeline, caplog, verifying):
    before = row_counts()
    await verifying.send(VerifyState.verify, {"form_data": {"code": latest_code(EMAIL)}})

    assert_nothing_crashed(pipeline, caplog)
    state = await verifying.state(VerifyState)
    assert state.code_error == "" and state.busy is False
    [account] = accounts()
    assert (account.email, account.full_name) == (EMAIL, "Grace Hopper")
    assert row_counts()["PendingSignup"] == before["PendingSignup"] - 1
    assert [script for script in verifying.scripts() if "/auth/ticket?t=" in script]


async def test_the_right_code_with_spaces_and_extra_keys_is_accepted(pipeline, caplog, verifying):
    code = latest_code(EMAIL)
    form = {"code": f" {code[:3]} {code[3:]} ", "email": "mallory@example.com", "account_id": 1, "x": {"y": [1]}}
    await verifying.send(VerifyState.verify, {"form_data": form})

    assert_nothing_crashed(pipeline, caplog)
    [account] = accounts()
    assert account.email == EMAIL


async def open_verify_page(pipeline, flow_token: str):
    return await pipeline.connect("/verify", cookie=f"{tickets.SIGNUP_COOKIE}={flow_token}")


BAD_CODES = {
    "empty": "",
    "five-digits": "12345",
    "seven-digits": "1234567",
    "letters": "abcdef",
    "one-mb": "1" * ONE_MB,
    "one-mb-of-spaces-around-six-digits": " " * ONE_MB + "123456",
    "nul": "123\x00456",
    "escape": "\x1b[31m123456",
    "controls-inside": "123\n\x0b456\x00",
    "lone-surrogates": "\ud800\udfff\ud800\udfff\ud800\udfff",
    "surrogate-and-digits": "123456\ud800",
    "fullwidth-digits": "１２３４５６",
    "arabic-indic-digits": "١٢٣٤٥٦",
    "emoji": "1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣",
    "right-to-left-override": "\u202e654321",
}


async def test_malformed_input_is_refused_without_using_an_attempt(pipeline, caplog, flow_token):
    cases = {
        **{f"form-{kind}": value for kind, value in NOT_A_FORM.items()},
        "code-missing": {"email": EMAIL},
        **{f"code-{kind}": {"code": value} for kind, value in NOT_A_STRING.items()},
        "right-code-as-a-number": {"code": int(latest_code(EMAIL))},
        **{f"code-{kind}": {"code": value} for kind, value in BAD_CODES.items()},
    }
    before, attempts = row_counts(), code_attempts()

    async def check(form_data):
        client = await open_verify_page(pipeline, flow_token)
        await client.send(VerifyState.verify, {"form_data": form_data})
        assert_code_refused(pipeline, caplog, await client.state(VerifyState), before)
        assert code_attempts() == attempts, "a malformed code used up an attempt"

    await check_each(pipeline, caplog, cases, check)


async def test_a_wrong_code_uses_an_attempt_and_says_how_many_are_left(pipeline, caplog, verifying):
    right = latest_code(EMAIL)
    wrong = "000000" if right != "000000" else "111111"
    before = row_counts()
    await verifying.send(VerifyState.verify, {"form_data": {"code": wrong}})
    assert_code_refused(
        pipeline,
        caplog,
        await verifying.state(VerifyState),
        before,
        "That code is not right. You have 4 attempts left.",
    )
    assert code_attempts() == [1]


NOT_OUR_SIGNUP_COOKIES = {
    "no-cookie-header": None,
    "other-cookies-only": "theme=dark; lang=en",
    "garbage": f"{tickets.SIGNUP_COOKIE}=garbage",
    "malformed-header": f'{tickets.SIGNUP_COOKIE}="unterminated; ;;=; =x',
    "one-mb": f"{tickets.SIGNUP_COOKIE}={'a' * ONE_MB}",
    "129-characters": f"{tickets.SIGNUP_COOKIE}={'a' * 129}",
    "non-ascii-bytes": f"{tickets.SIGNUP_COOKIE}=".encode() + bytes(range(0x80, 0x100)),
    "nul-byte": f"{tickets.SIGNUP_COOKIE}=abc\x00def",
}


async def test_verify_without_a_live_signup_cookie_creates_nothing(pipeline, caplog, flow_token):
    code = latest_code(EMAIL)
    before = row_counts()

    async def check(cookie):
        client = await pipeline.connect("/verify", cookie=cookie)
        state = await client.state(VerifyState)
        assert (state.status, state.email) == ("missing", "")

        await client.send(VerifyState.verify, {"form_data": {"code": code}})

        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(VerifyState)
        # No usable cookie: the page shows its "start again" view, or the field says the signup expired.
        assert state.status == "missing" or state.code_error == SIGNUP_EXPIRED
        assert state.busy is False
        assert row_counts() == before and accounts() == []
        assert not [script for script in client.scripts() if "/auth/ticket" in script]

    await check_each(pipeline, caplog, NOT_OUR_SIGNUP_COOKIES, check)


async def test_verify_with_the_session_cookie_name_instead_does_nothing(pipeline, caplog, flow_token):
    client = await pipeline.connect("/verify", cookie=f"{tickets.SESSION_COOKIE}={flow_token}")
    before = row_counts()
    await client.send(VerifyState.verify, {"form_data": {"code": latest_code(EMAIL)}})

    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(VerifyState)).status == "missing"
    assert row_counts() == before and accounts() == []


async def test_verify_after_the_signup_expired_says_so(frozen_clock, pipeline, caplog, flow_token):
    client = await pipeline.connect("/verify", cookie=f"{tickets.SIGNUP_COOKIE}={flow_token}")
    frozen_clock.advance(days=1)
    before = row_counts()

    await client.send(VerifyState.verify, {"form_data": {"code": latest_code(EMAIL)}})

    assert_code_refused(pipeline, caplog, await client.state(VerifyState), before, SIGNUP_EXPIRED)


# --- resend: no argument; the only input is the cookie ---------------------------------------


async def test_resend_emails_a_new_code(pipeline, caplog, settings_env):
    settings_env(PORTAL_CODE_RESEND_SECONDS="0")
    flow = begin_signup(EMAIL)
    client = await pipeline.connect("/verify", cookie=f"{tickets.SIGNUP_COOKIE}={flow}")
    before = row_counts()

    await client.send(VerifyState.resend, {})

    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(VerifyState)
    assert state.code_error == "" and state.notice == f"We sent a new code to {EMAIL}. Earlier codes no longer work."
    assert row_counts()["OutboxEmail"] == before["OutboxEmail"] + 1
    assert row_counts()["EmailCode"] == before["EmailCode"] + 1


async def test_resend_too_soon_explains_the_wait_and_sends_nothing(pipeline, caplog, verifying):
    before = row_counts()
    await verifying.send(VerifyState.resend, {})

    assert_nothing_crashed(pipeline, caplog)
    state = await verifying.state(VerifyState)
    assert state.notice.startswith("You can ask for a new code in ")
    assert_human_message(state.notice)
    assert row_counts() == before


async def test_resend_without_a_live_signup_cookie_sends_nothing(pipeline, caplog, flow_token, settings_env):
    settings_env(PORTAL_CODE_RESEND_SECONDS="0")
    before = row_counts()

    async def check(cookie):
        client = await pipeline.connect("/verify", cookie=cookie)
        await client.send(VerifyState.resend, {})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(VerifyState)
        assert state.status == "missing" or state.code_error == SIGNUP_EXPIRED
        assert state.notice == ""
        assert row_counts() == before

    await check_each(pipeline, caplog, NOT_OUR_SIGNUP_COOKIES, check)


async def test_resend_after_the_signup_expired_says_so(frozen_clock, pipeline, caplog, flow_token):
    client = await pipeline.connect("/verify", cookie=f"{tickets.SIGNUP_COOKIE}={flow_token}")
    frozen_clock.advance(days=1)
    before = row_counts()

    await client.send(VerifyState.resend, {})

    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(VerifyState)
    assert state.code_error == SIGNUP_EXPIRED and state.notice == ""
    assert row_counts() == before
    with db.read_session() as session:
        assert len(list(session.exec(select(PendingSignup)))) == 1


async def test_the_page_says_so_when_the_code_email_is_delayed_or_failed(pipeline, flow_token):
    """Honest about delivery: after the provider refused the email once the page says it is slow; after it gave
    up, that the address could not be reached. While all is well it says nothing more."""
    from sqlmodel import update

    from portal_app.email import outbox
    from portal_app.email.models import OutboxEmail

    cookie = f"{tickets.SIGNUP_COOKIE}={flow_token}"
    client = await pipeline.connect("/verify", cookie=cookie)
    assert (await client.state(VerifyState)).notice == ""
    with db.write_session() as session:
        session.exec(update(OutboxEmail).where(OutboxEmail.to_email == EMAIL).values(attempts=2, last_error="HTTP 429"))
    await client.send(VerifyState.load, {})
    assert (await client.state(VerifyState)).notice == outbox.DELAYED
    with db.write_session() as session:
        session.exec(update(OutboxEmail).where(OutboxEmail.to_email == EMAIL).values(status="failed"))
    await client.send(VerifyState.load, {})
    assert (await client.state(VerifyState)).notice == outbox.FAILED
