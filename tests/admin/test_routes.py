"""The admin HTTP routes: the ticket becomes an HttpOnly staff cookie once, in the browser it is bound to."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.admin import staff_sessions
from portal_app.admin.routes import routes
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.kernel.web.middleware import DEVICE_COOKIE, PortalHeadersMiddleware
from tests.support.admin import BROWSER, OTHER_BROWSER, create_staff, staff_session_token, staff_ticket


def client(browser: str | None = BROWSER, base_url: str = "http://localhost:3000") -> TestClient:
    test_client = TestClient(
        PortalHeadersMiddleware(Starlette(routes=routes())), base_url=base_url, follow_redirects=False
    )
    if browser is not None:
        test_client.cookies.set(DEVICE_COOKIE, browser)
    return test_client


def redeem(test_client: TestClient, ticket: str):
    return test_client.get("/admin/auth/ticket", params={"t": ticket})


def staff_cookie_header(response) -> str:
    [header] = [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{STAFF_COOKIE}=")]
    return header


def test_the_ticket_becomes_an_httponly_strict_cookie_once(database, frozen_clock):
    create_staff()
    ticket = staff_ticket()
    browser = client()
    response = redeem(browser, ticket)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    assert response.headers["cache-control"] == "no-store"
    header = staff_cookie_header(response)
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header
    assert "Max-Age=604800" in header and "Secure" not in header
    token = header.split(";")[0].split("=", 1)[1]
    assert staff_sessions.current_staff(token) is not None

    again = redeem(client(), ticket)
    assert again.headers["location"] == "/admin/login?expired=1"
    assert not [value for value in again.headers.get_list("set-cookie") if value.startswith(STAFF_COOKIE)]


def test_another_browser_cannot_use_the_ticket(database, frozen_clock):
    create_staff()
    ticket = staff_ticket()
    for other in (client(OTHER_BROWSER), client(None)):
        response = redeem(other, ticket)
        assert response.headers["location"] == "/admin/login?expired=1"
        assert not [value for value in response.headers.get_list("set-cookie") if value.startswith(STAFF_COOKIE)]
    assert redeem(client(), ticket).headers["location"] == "/admin"


def test_a_ticket_lasts_a_minute(database, frozen_clock):
    create_staff()
    ticket = staff_ticket()
    frozen_clock.advance(seconds=60)
    assert redeem(client(), ticket).headers["location"] == "/admin/login?expired=1"


def test_junk_tickets_are_refused(database, frozen_clock):
    create_staff()
    for junk in ("", "x", "x" * 129, "é" * 10):
        assert redeem(client(), junk).headers["location"] == "/admin/login?expired=1"
    assert client().get("/admin/auth/ticket").headers["location"] == "/admin/login?expired=1"


def test_the_cookie_is_secure_on_https(database, frozen_clock, settings_env):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example")
    create_staff()
    response = redeem(client(base_url="https://portal.example"), staff_ticket())
    assert "Secure" in staff_cookie_header(response)


def test_log_out_ends_the_session_and_drops_the_cookie(database, frozen_clock):
    create_staff()
    token = staff_session_token()
    browser = client()
    browser.cookies.set(STAFF_COOKIE, token)
    # A GET (a link or an image on another site) ends nothing; the page's POST does.
    assert browser.get("/admin/auth/logout").status_code == 200
    assert staff_sessions.current_staff(token) is not None
    response = browser.post("/admin/auth/logout", headers={"Origin": "http://localhost:3000"})
    assert response.status_code == 200
    assert staff_cookie_header(response).startswith(f'{STAFF_COOKIE}=""') or "Max-Age=0" in staff_cookie_header(
        response
    )
    assert staff_sessions.current_staff(token) is None
