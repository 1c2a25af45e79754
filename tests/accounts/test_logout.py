"""Logout, client and staff: a POST from the portal's own pages ends the session the request's own cookie
names, logs it, and drops the cookie; a GET or another site's POST ends nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.accounts import routes as account_routes
from portal_app.accounts import security_log, sessions, tickets
from portal_app.accounts.models import Account, UserSession
from portal_app.admin import routes as admin_routes
from portal_app.admin import staff_sessions
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.kernel import clock, db
from portal_app.kernel.web.middleware import PortalHeadersMiddleware
from portal_app.kernel.web.standalone import REFLEX_TOKEN_KEY
from tests.support.admin import create_staff, staff_session_token

PORTAL = "http://localhost:3000"
COOKIE = tickets.SESSION_COOKIE
FROM_PORTAL = {"Origin": PORTAL, "User-Agent": "Firefox on the kitchen laptop"}


def browser(*cookies: tuple[str, str]) -> TestClient:
    app = Starlette(routes=[*account_routes.routes(), *admin_routes.routes()])
    client = TestClient(PortalHeadersMiddleware(app), base_url=PORTAL, follow_redirects=False)
    for name, value in cookies:
        client.cookies.set(name, value)
    return client


def make_account(email: str, name: str) -> int:
    with db.write_session() as session:
        account = Account(email=email, full_name=name, created_at=clock.now())
        session.add(account)
        session.flush()
        return account.id


def start_session(account_id: int) -> str:
    with db.write_session() as session:
        return sessions.create_session(
            session, account_id=account_id, auth_method="password", user_agent="pytest", ip="203.0.113.5"
        )


def live_sessions() -> set[str]:
    with db.read_session() as session:
        return {row.token_hash for row in session.exec(select(UserSession))}


def cookie_dropped(response, name: str) -> bool:
    return any(
        value.startswith(f"{name}=") and ("Max-Age=0" in value or "expires=Thu, 01 Jan 1970" in value)
        for value in response.headers.get_list("set-cookie")
    )


@pytest.fixture
def ada(database, frozen_clock) -> int:
    return make_account("ada@example.com", "Ada Lovelace")


# --- client logout ------------------------------------------------------------------------------


def test_the_post_ends_the_session_its_own_cookie_names_and_drops_the_cookie(ada):
    mine, other_browser = start_session(ada), start_session(ada)
    response = browser((COOKIE, mine)).post("/auth/logout", headers=FROM_PORTAL)

    assert response.status_code == 200
    assert sessions.current_session(mine) is None
    assert sessions.current_session(other_browser) is not None, "another browser's session ended too"
    assert cookie_dropped(response, COOKIE)
    assert response.headers["cache-control"] == "no-store"
    # The tab forgets its Reflex client token, then goes to /login.
    assert f'sessionStorage.removeItem("{REFLEX_TOKEN_KEY}")' in response.text
    assert 'location.replace("/login")' in response.text


def test_after_an_account_switch_the_live_session_ends_not_the_stale_one(ada, frozen_clock):
    """The websocket still holds the first account's cookie; the browser already has the second's."""
    grace = make_account("ada@example.com", "Grace Lovelace")
    stale, current = start_session(ada), start_session(grace)
    sessions.end_session(stale)  # the switch ended the first session

    browser((COOKIE, current)).post("/auth/logout", headers=FROM_PORTAL)

    assert sessions.current_session(current) is None
    assert live_sessions() == set()


def test_each_sign_out_is_in_the_security_log(ada):
    token = start_session(ada)
    browser((COOKIE, token)).post("/auth/logout", headers={**FROM_PORTAL, "X-Forwarded-For": "198.51.100.9"})
    [event] = [event for event in security_log.for_account(ada) if event.kind == "signed_out"]
    assert event.what == "Signed out"
    assert event.user_agent == "Firefox on the kitchen laptop"
    assert event.ip == "testclient"  # the socket peer: X-Forwarded-For counts only behind a trusted proxy


def test_logging_out_twice_logs_once(ada):
    token = start_session(ada)
    client = browser((COOKIE, token))
    client.post("/auth/logout", headers=FROM_PORTAL)
    client.cookies.set(COOKIE, token)
    second = client.post("/auth/logout", headers=FROM_PORTAL)
    assert second.status_code == 200 and cookie_dropped(second, COOKIE)
    assert [event.kind for event in security_log.for_account(ada)].count("signed_out") == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://sub.localhost:3000"},
        {"Referer": "https://evil.example/page"},
        {"Origin": PORTAL, "Sec-Fetch-Site": "cross-site"},
        {"Origin": PORTAL, "Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_post_from_another_site_ends_nothing_and_keeps_the_cookie(ada, headers):
    token = start_session(ada)
    response = browser((COOKIE, token)).post("/auth/logout", headers=headers)
    assert response.status_code == 403
    assert sessions.current_session(token) is not None
    assert not [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{COOKIE}=")]
    assert "Log out" in response.text  # a button that would do it from here, if the person meant it
    assert "signed_out" not in [event.kind for event in security_log.for_account(ada)]


def test_a_referer_from_the_portal_is_enough_when_the_browser_sends_no_origin(ada):
    token = start_session(ada)
    browser((COOKIE, token)).post("/auth/logout", headers={"Referer": f"{PORTAL}/profile"})
    assert sessions.current_session(token) is None


def test_a_get_ends_nothing_and_offers_a_log_out_button(ada):
    """A link or <img src=/auth/logout> on another site cannot sign anyone out."""
    token = start_session(ada)
    response = browser((COOKIE, token)).get("/auth/logout", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert sessions.current_session(token) is not None
    assert not cookie_dropped(response, COOKIE)
    assert '<form method="post" action="/auth/logout">' in response.text
    assert '<button type="submit" autofocus>Log out</button>' in response.text
    assert response.headers["cache-control"] == "no-store"
    # Its own policy: no script at all, only its one style block, and it posts only here.
    policy = response.headers["content-security-policy"]
    assert "script-src 'none'" in policy and "form-action 'self'" in policy and "frame-ancestors 'none'" in policy


def test_a_get_without_a_live_session_goes_to_login(database, frozen_clock):
    for cookies in ((), ((COOKIE, "x" * 43),)):
        response = browser(*cookies).get("/auth/logout")
        assert response.status_code == 303 and response.headers["location"] == "/login"


def test_other_methods_are_refused(ada):
    token = start_session(ada)
    client = browser((COOKIE, token))
    for method in ("PUT", "DELETE", "PATCH"):
        assert client.request(method, "/auth/logout", headers=FROM_PORTAL).status_code == 405
    assert sessions.current_session(token) is not None


# --- staff logout -------------------------------------------------------------------------------


@pytest.fixture
def staff_token(database, frozen_clock) -> str:
    create_staff()
    return staff_session_token()


def test_the_staff_post_ends_the_staff_session_of_its_own_cookie(staff_token):
    response = browser((STAFF_COOKIE, staff_token)).post("/admin/auth/logout", headers=FROM_PORTAL)
    assert response.status_code == 200
    assert staff_sessions.current_staff(staff_token) is None
    assert cookie_dropped(response, STAFF_COOKIE)
    assert 'location.replace("/admin/login")' in response.text


@pytest.mark.parametrize(
    "headers", [{}, {"Origin": "https://evil.example"}, {"Origin": PORTAL, "Sec-Fetch-Site": "same-site"}]
)
def test_a_staff_post_from_another_site_ends_nothing(staff_token, headers):
    response = browser((STAFF_COOKIE, staff_token)).post("/admin/auth/logout", headers=headers)
    assert response.status_code == 403
    assert staff_sessions.current_staff(staff_token) is not None
    assert not [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{STAFF_COOKIE}=")]


def test_a_staff_get_with_a_live_session_only_offers_the_button(staff_token):
    response = browser((STAFF_COOKIE, staff_token)).get("/admin/auth/logout")
    assert response.status_code == 200 and '<form method="post" action="/admin/auth/logout">' in response.text
    assert staff_sessions.current_staff(staff_token) is not None
    assert not [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{STAFF_COOKIE}=")]


def test_a_staff_get_drops_a_dead_staff_cookie_but_never_one_it_was_not_sent(staff_token):
    """The admin page's handler ends the session, then loads this GET: the dead cookie goes. A GET that
    came without the cookie (SameSite=Strict: any link from another site) clears nothing."""
    staff_sessions.end_session(staff_token)
    dead = browser((STAFF_COOKIE, staff_token)).get("/admin/auth/logout")
    assert dead.status_code == 303 and dead.headers["location"] == "/admin/login" and cookie_dropped(dead, STAFF_COOKIE)

    without = browser().get("/admin/auth/logout")
    assert without.status_code == 303 and not cookie_dropped(without, STAFF_COOKIE)
