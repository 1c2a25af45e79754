"""The account's signed-in browsers on /security, signing them out, and the security log they and the other
account services write."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.accounts import devices, login, security_log, sessions
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.models import UserSession
from portal_app.kernel import db
from tests.support.accounts import IP, PASSWORD, accounts_for, sign_up
from tests.support.browser import redeem_bound

EMAIL = "ada@example.com"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)


def log_in(user_agent: str, ip: str, browser: str = "test-browser-binding-token-0123456789abcdef") -> str:
    ticket = login.password_login(email=EMAIL, password=PASSWORD, ip=ip)
    return redeem_bound(ticket, user_agent=user_agent, ip=ip, browser_token=browser).value


@pytest.fixture
def ada(database, frozen_clock) -> int:
    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)
    return accounts_for(EMAIL)[0].id


def test_the_browsers_list_names_each_with_its_country_this_one_first(ada, frozen_clock):
    laptop = log_in(CHROME_WINDOWS, "81.2.69.160")
    frozen_clock.advance(minutes=5)
    log_in(IPHONE, "8.8.8.8")
    listed = devices.signed_in_browsers(sessions.current_session(laptop))
    first = listed[0]
    assert (first.browser, first.place, first.current, first.method) == (
        "Chrome on Windows",
        "United Kingdom",
        True,
        "Password",
    )
    assert ("Mobile Safari on iOS", "United States", False) in [(b.browser, b.place, b.current) for b in listed]
    assert devices.describe_place("10.1.2.3") == devices.UNKNOWN_PLACE


def test_signing_one_browser_out_ends_only_that_one_and_only_of_this_account(ada, frozen_clock):
    laptop = log_in(CHROME_WINDOWS, "81.2.69.160")
    phone = log_in(IPHONE, "8.8.8.8", browser="phone-browser-binding-token-0123456789abcdef")
    sign_up("bob@example.com")
    bob_token = redeem_bound(login.password_login(email="bob@example.com", password=PASSWORD, ip=IP)).value
    bob_session = sessions.current_session(bob_token)
    here = sessions.current_session(laptop)
    # Another account's session id, this very session, and junk: nothing ends.
    for target in (bob_session.id, here.id, "1", -1, None, 10**12, True):
        assert devices.sign_out_browser(here, target) is False
    assert sessions.current_session(bob_token) is not None and sessions.current_session(laptop) is not None
    phone_id = sessions.current_session(phone).id
    assert devices.sign_out_browser(here, phone_id, ip="81.2.69.160") is True
    assert sessions.current_session(phone) is None and sessions.current_session(laptop) is not None
    logged = security_log.for_account(ada)
    assert logged[0].kind == "session_ended" and logged[0].detail == "Mobile Safari on iOS, United States"


def test_sign_out_everywhere_else_keeps_this_browser(ada, frozen_clock):
    laptop = log_in(CHROME_WINDOWS, "81.2.69.160")
    others = [log_in(IPHONE, "8.8.8.8", browser=f"browser-{n}-binding-token-0123456789abcdef") for n in range(3)]
    assert devices.sign_out_everywhere_else(sessions.current_session(laptop)) == 3
    assert all(sessions.current_session(token) is None for token in others)
    assert [b.current for b in devices.signed_in_browsers(sessions.current_session(laptop))] == [True]
    assert security_log.for_account(ada)[0].kind == "signed_out_elsewhere"


def test_without_a_live_session_nothing_is_listed_or_ended(ada):
    log_in(CHROME_WINDOWS, "81.2.69.160")
    with pytest.raises(PermissionError):
        devices.signed_in_browsers(None)
    with pytest.raises(PermissionError):
        devices.sign_out_everywhere_else(None)
    with db.read_session() as session:
        assert session.exec(select(UserSession)).all() != []


def test_the_log_holds_sign_ins_and_failed_attempts_against_the_email(ada, frozen_clock):
    log_in(CHROME_WINDOWS, "81.2.69.160")
    with pytest.raises(LoginFailed):
        login.password_login(email=EMAIL, password="not-the-password", ip="8.8.8.8")
    with pytest.raises(LoginFailed):
        login.password_login(email="nobody@example.com", password="not-the-password", ip="8.8.8.8")
    logged = security_log.for_account(ada)
    assert [(e.kind, e.method, e.ip) for e in logged[:2]] == [
        ("sign_in_failed", "password", "8.8.8.8"),
        ("signed_in", "password", "81.2.69.160"),
    ]
    assert security_log.for_email("nobody@example.com") == []  # unknown emails leave nothing
