"""Hostile Cookie headers through every HTTP route that reads a cookie: the portal's cookie still counts.

A sibling subdomain (or anything else on the host) can set cookies this browser then sends to the portal,
malformed ones included. Python's SimpleCookie dropped the whole header at the first bad cookie, which
signed everyone out; every route now reads cookies one by one (kernel/web/cookies.py). Each case puts the
portal's cookie among hostile neighbours and checks what a person would notice: the ticket still signs
in, the logout still ends the session, the app's download still knows who is asking.
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from portal_app.accounts import routes as account_routes
from portal_app.accounts import sessions, tickets
from portal_app.admin import routes as admin_routes
from portal_app.admin import staff_sessions
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.apps import http as app_http
from portal_app.kernel import db
from portal_app.kernel.web.middleware import DEVICE_COOKIE, PortalHeadersMiddleware
from tests.support.accounts import accounts_for, sign_up
from tests.support.admin import BROWSER, create_staff, staff_session_token, staff_ticket

PORTAL = "http://localhost:3000"
FROM_PORTAL = {"origin": PORTAL}
EMAIL = "ada@example.com"


def hostile(name: str, value: str) -> dict[str, bytes]:
    """Cookie headers that carry `name=value` among hostile neighbours, by case."""
    mine = f"{name}={value}"
    return {
        "malformed-before": f'bad"cookie=1; {{}}=[]; {mine}'.encode(),
        "malformed-after": f'{mine}; bad"cookie=1; ===; ;;'.encode(),
        "unterminated-quote-before": f'x="unterminated; {mine}'.encode(),
        "quoted-semicolon-before": f'x="a;b"; {mine}'.encode(),
        "semicolons": f";;; ; {mine} ;; ;".encode(),
        "version-attributes": f'$Version=1; {mine}; $Path="/"; $Domain=.localhost'.encode(),
        "non-ascii-neighbours": "caf\u00e9=cr\u00e8me; ".encode() + mine.encode() + b"; x=\xff\xfe",
        "control-characters": b"x=\x01\x1b; " + mine.encode(),
        "huge-header": ("; ".join(f"c{i}={'x' * 100}" for i in range(2_000)) + f"; {mine}").encode(),
        "duplicate-neighbour-names": f"theme=dark; theme=light; {mine}; lang=en; lang=fr".encode(),
    }


CASES = list(hostile("x", "y"))


def client(*extra_routes: Route) -> TestClient:
    app = Starlette(routes=[*account_routes.routes(), *admin_routes.routes(), *extra_routes])
    return TestClient(PortalHeadersMiddleware(app), base_url=PORTAL, follow_redirects=False)


def set_cookie_names(response) -> list[str]:
    return [value.split("=", 1)[0] for value in response.headers.get_list("set-cookie")]


@pytest.fixture
def ada(database, frozen_clock):
    sign_up(EMAIL)
    [account] = accounts_for(EMAIL)
    return account.id


def session_ticket(account_id: int) -> str:
    """A login ticket bound to the browser whose binding cookie is BROWSER."""
    with db.write_session() as session:
        ticket = tickets.issue_session_ticket(session, account_id=account_id, auth_method="password", next_path="/")
    tickets.bind_to_browser(ticket, BROWSER)
    return ticket


def start_session(account_id: int) -> str:
    with db.write_session() as session:
        return sessions.create_session(session, account_id=account_id, auth_method="password", user_agent="", ip="")


# --- accounts/routes.py -------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_ticket_signs_in_among_hostile_cookies(ada, case):
    ticket = session_ticket(ada)
    response = client().get(
        "/auth/ticket", params={"t": ticket}, headers={"cookie": hostile(DEVICE_COOKIE, BROWSER)[case]}
    )
    assert response.status_code == 303 and response.headers["location"] == "/", response.headers.get("location")
    assert tickets.SESSION_COOKIE in set_cookie_names(response)


@pytest.mark.parametrize("case", CASES)
def test_logout_ends_the_session_among_hostile_cookies(ada, case):
    token = start_session(ada)
    headers = {**FROM_PORTAL, "cookie": hostile(tickets.SESSION_COOKIE, token)[case]}
    response = client().post("/auth/logout", headers=headers)
    assert response.status_code == 200
    assert sessions.current_session(token) is None


def test_cookies_split_over_several_headers_are_all_read(ada):
    """HTTP/2 may send one Cookie header per cookie."""
    token = start_session(ada)
    headers = [("origin", PORTAL), ("cookie", "theme=dark"), ("cookie", f"{tickets.SESSION_COOKIE}={token}")]
    client().post("/auth/logout", headers=headers)
    assert sessions.current_session(token) is None


# --- admin/routes.py ----------------------------------------------------------------------------


@pytest.fixture
def staff(database, frozen_clock):
    create_staff()


@pytest.mark.parametrize("case", CASES)
def test_the_staff_ticket_signs_in_among_hostile_cookies(staff, case):
    ticket = staff_ticket()
    response = client().get(
        "/admin/auth/ticket", params={"t": ticket}, headers={"cookie": hostile(DEVICE_COOKIE, BROWSER)[case]}
    )
    assert response.headers["location"] == "/admin"
    assert STAFF_COOKIE in set_cookie_names(response)


@pytest.mark.parametrize("case", CASES)
def test_staff_logout_ends_the_session_among_hostile_cookies(staff, case):
    token = staff_session_token()
    headers = {**FROM_PORTAL, "cookie": hostile(STAFF_COOKIE, token)[case]}
    assert client().post("/admin/auth/logout", headers=headers).status_code == 200
    assert staff_sessions.current_staff(token) is None


# --- apps/http.py: an app's routes ask who is signed in -----------------------------------------


async def _who(request: Request) -> PlainTextResponse:
    account_id = await app_http.signed_in_account(request)
    staff = await app_http.staff_member(request)
    return PlainTextResponse(f"{account_id}|{staff.email if staff else None}")


WHO = Route("/api/apps/probe/who", _who)


@pytest.mark.parametrize("case", CASES)
def test_an_apps_route_knows_the_account_among_hostile_cookies(ada, case):
    token = start_session(ada)
    response = client(WHO).get("/api/apps/probe/who", headers={"cookie": hostile(tickets.SESSION_COOKIE, token)[case]})
    assert response.text == f"{ada}|None"


@pytest.mark.parametrize("case", CASES)
def test_an_apps_route_knows_the_staff_member_among_hostile_cookies(staff, case):
    token = staff_session_token()
    response = client(WHO).get("/api/apps/probe/who", headers={"cookie": hostile(STAFF_COOKIE, token)[case]})
    assert response.text.endswith("|owner@studio.example")


def test_an_apps_route_reads_a_session_cookie_sent_in_a_second_cookie_header(ada):
    token = start_session(ada)
    headers = [("cookie", "theme=dark"), ("cookie", f"{tickets.SESSION_COOKIE}={token}")]
    assert client(WHO).get("/api/apps/probe/who", headers=headers).text == f"{ada}|None"
