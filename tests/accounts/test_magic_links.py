"""Magic links: looking changes nothing, single use shared with the code, 10-minute life, voided by a newer code."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from portal_app.accounts import code_login, codes, magic_links, sessions
from portal_app.accounts.magic_links import LinkState, LinkStatus
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import IP, accounts_for, latest_code, latest_email, sign_up
from tests.support.browser import TEST_BROWSER, redeem_bound

EMAIL = "ada@example.com"
USED = "This link was already used. Send yourself a new one."
EXPIRED = "This link has expired. Send yourself a new one."
UNKNOWN = "This link is not valid. Log in to get a new one."


def emailed_link(to: str = EMAIL) -> str:
    return re.search(r"\S+/magic\?token=[\w-]+", latest_email(to).text_body).group(0)


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


def request_link(email: str = EMAIL) -> str:
    code_login.request_login_code(email=email, ip=IP, device=TEST_BROWSER)
    return token_of(emailed_link(email))


def refusal(token, **fields) -> str:
    with pytest.raises(FieldError) as caught:
        magic_links.use_magic_link(token, **fields)
    assert caught.value.field == "link"
    return caught.value.message


def snapshot() -> dict:
    """Every row of every table, to show that looking at a link writes nothing."""
    with db.read_session() as session:
        connection = session.connection()
        return {
            table: [tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
            for table in inspect(connection).get_table_names()
        }


@pytest.fixture
def ada(database, frozen_clock):
    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)
    [account] = accounts_for(EMAIL)
    return account


def test_looking_at_a_link_changes_nothing_and_then_continue_works(ada):
    token = request_link()
    before = snapshot()
    for _ in range(10):
        assert magic_links.link_status(token) == LinkStatus(LinkState.VALID, EMAIL)
    assert snapshot() == before
    grant = redeem_bound(magic_links.use_magic_link(token, next_path="/apps/x"), user_agent="", ip="")
    assert grant.next_path == "/apps/x"
    info = sessions.current_session(grant.value)
    assert (info.account_id, info.auth_method, info.peer_scope) == (ada.id, "magic_link", "email")


def test_a_link_works_once(ada):
    token = request_link()
    magic_links.use_magic_link(token)
    assert refusal(token) == USED
    assert magic_links.link_status(token) == LinkStatus(LinkState.USED, EMAIL, USED)


def test_the_link_and_its_code_are_one_sign_in(ada, frozen_clock):
    token = request_link()
    magic_links.use_magic_link(token)
    with pytest.raises(FieldError):
        code_login.login_with_code(email=EMAIL, code=latest_code(EMAIL), device=TEST_BROWSER)
    frozen_clock.advance(seconds=60)
    token = request_link()
    code_login.login_with_code(email=EMAIL, code=latest_code(EMAIL), device=TEST_BROWSER)
    assert refusal(token) == USED


def test_a_link_expires_with_its_code_after_ten_minutes(ada, frozen_clock):
    token = request_link()
    frozen_clock.advance(minutes=9, seconds=59)
    assert magic_links.link_status(token).status is LinkState.VALID
    frozen_clock.advance(seconds=1)
    assert magic_links.link_status(token) == LinkStatus(LinkState.EXPIRED, EMAIL, EXPIRED)
    assert refusal(token) == EXPIRED


def test_a_newer_code_voids_the_link(ada, frozen_clock):
    old = request_link()
    frozen_clock.advance(seconds=60)
    new = request_link()
    assert magic_links.link_status(old) == LinkStatus(LinkState.EXPIRED, EMAIL, EXPIRED)
    assert refusal(old) == EXPIRED
    magic_links.use_magic_link(new)


def test_unknown_and_malformed_tokens(ada):
    request_link()
    for token in (None, "", "nope", "x" * 129, "é" * 10, {"token": "x"}, ["x"], 42):
        assert magic_links.link_status(token) == LinkStatus(LinkState.UNKNOWN, None, UNKNOWN)
        assert refusal(token) == UNKNOWN


def test_the_link_is_built_from_the_configured_public_url(ada, settings_env):
    settings_env(PORTAL_PUBLIC_URL="https://clients.example.org")
    request_link()
    assert emailed_link().startswith("https://clients.example.org/magic?token=")
    assert f'href="{emailed_link()}"' in latest_email(EMAIL).html_body


def test_no_link_when_the_business_turned_them_off(ada):
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.magic_links_enabled = False
        session.add(business)
    code_login.request_login_code(email=EMAIL, ip=IP)
    assert "/magic" not in latest_email(EMAIL).text_body and "/magic" not in latest_email(EMAIL).html_body


def test_an_unknown_email_never_gets_a_link(database, frozen_clock):
    code_login.request_login_code(email="nobody@example.com", ip=IP)
    with db.read_session() as session:
        assert session.exec(select(OutboxEmail)).all() == []


def test_next_path_stays_on_the_site(ada):
    ticket = magic_links.use_magic_link(request_link(), next_path="//evil.example/")
    assert redeem_bound(ticket, user_agent="", ip="").next_path == "/"


def test_a_locked_email_cannot_use_its_link_until_the_lock_ends(ada, frozen_clock, settings_env):
    """Only the lock on the email from everywhere stops links; one network's lock does not (a link is no
    guess: it proves the mailbox)."""
    settings_env(PORTAL_CODE_FAILURES_PER_DAY_PER_EMAIL="20")
    token = request_link()
    for _ in range(19):
        codes.check_code(purpose="signup", email=EMAIL, code="000000", ip="192.0.2.1")
    assert magic_links.link_status(token).status is LinkState.VALID
    codes.check_code(purpose="signup", email=EMAIL, code="000000", ip="192.0.2.2")
    until = frozen_clock.current + timedelta(hours=24)
    assert refusal(token) == (
        f"Code entry for this email is locked until {until:%H:%M} UTC. You can still log in with your password."
    )
    assert magic_links.link_status(token).status is LinkState.VALID


def test_the_email_is_verified_by_a_link(ada):
    with db.write_session() as session:
        account = session.get(type(ada), ada.id)
        account.email_verified_at = None
        session.add(account)
    magic_links.use_magic_link(request_link())
    [account] = accounts_for(EMAIL)
    assert account.email_verified_at is not None


def test_ten_clicks_at_once_sign_in_once(ada):
    token = request_link()
    barrier = threading.Barrier(10)

    def click():
        barrier.wait()
        try:
            return magic_links.use_magic_link(token)
        except FieldError as error:
            return error

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: click(), range(10)))
    assert sum(isinstance(result, str) for result in results) == 1
    assert {result.message for result in results if isinstance(result, FieldError)} == {USED}


# --- the page names the address the link signs in (login CSRF: someone else's link) ---------------


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("ada@example.com", "a***@example.com"),
        ("ann.smith@mail.example.org", "a***@mail.example.org"),
        ("x@example.com", "x***@example.com"),
        ("\u00e9lise@exempl\u00e9.fr", "\u00e9***@exempl\u00e9.fr"),
        ("no-at-sign", "***"),
        ("@example.com", "***"),
    ],
)
def test_the_address_is_shown_masked(email, masked):
    assert magic_links.mask_email(email) == masked


async def test_the_magic_page_says_whose_link_it_is_before_continue(pipeline, frozen_clock):
    from portal_app.accounts.ui.magic_state import MagicLinkState

    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)
    token = request_link()
    client = await pipeline.connect(f"/magic?token={token}")
    state = await client.state(MagicLinkState)
    assert state.status == "valid"
    assert state.masked_email == "a***@example.com"
    assert EMAIL not in repr(state.dict())  # the whole address never reaches the page


def test_the_magic_page_puts_the_masked_address_on_the_button():
    from portal_app.accounts.ui.magic_page import magic_page

    rendered = str(magic_page())
    assert "Continue as " in rendered and "masked_email" in rendered
