"""The admin area's HTTP routes: they set and clear the HttpOnly staff cookie.

The sign-in page never sees the staff session's token: its handler gets a one-time ticket bound
to this browser and sends the browser here, which trades it for the cookie and opens /admin.

Logout is a POST from the portal's own pages and ends the session the request's own staff cookie names.
A GET ends nothing: with a live staff session it shows a "Log out" button; with a staff cookie that no
longer names a live session (the admin page's handler ended it first) it drops that dead cookie.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal_app.accounts.routes import client_ip, no_store
from portal_app.admin import staff_login, staff_sessions
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.kernel.settings import get_settings
from portal_app.kernel.tokens import presented_token
from portal_app.kernel.web.cookies import request_cookies
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from portal_app.kernel.web.origin import from_portal_pages
from portal_app.kernel.web.standalone import confirm_logout_page, signed_out_page

TICKET_PATH = "/admin/auth/ticket"
LOGOUT_PATH = "/admin/auth/logout"
LOGIN_PATH = "/admin/login"
HOME_PATH = "/admin"
# Strict: the staff cookie is never sent with a request another site starts.
SAME_SITE = "strict"


async def redeem_ticket(request: Request) -> RedirectResponse:
    ticket = request.query_params.get("t", "")
    token = None
    if presented_token(ticket):
        token = await asyncio.to_thread(
            staff_login.redeem_ticket,
            ticket,
            browser_token=request_cookies(request).get(DEVICE_COOKIE),
            user_agent=request.headers.get("user-agent", "")[:512],
            ip=client_ip(request),
        )
    if token is None:
        return no_store(RedirectResponse(f"{LOGIN_PATH}?expired=1", status_code=303))
    response = RedirectResponse(HOME_PATH, status_code=303)
    response.set_cookie(
        STAFF_COOKIE,
        token,
        max_age=int(staff_sessions.absolute_limit().total_seconds()),
        path="/",
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite=SAME_SITE,
    )
    return no_store(response)


def _without_staff_cookie(response: Response) -> Response:
    response.delete_cookie(
        STAFF_COOKIE, path="/", httponly=True, secure=get_settings().secure_cookies, samesite=SAME_SITE
    )
    return response


async def log_out(request: Request) -> Response:
    """POST: end the staff session the request's own cookie names, and drop the cookie."""
    if not from_portal_pages(request):
        return confirm_logout_page(
            LOGOUT_PATH,
            HOME_PATH,
            message="This sign-out request did not come from this portal's pages, so nothing changed.",
            status_code=403,
        )
    token = request_cookies(request).get(STAFF_COOKIE)
    if token:
        await asyncio.to_thread(staff_sessions.end_session, token)
    return _without_staff_cookie(signed_out_page(LOGIN_PATH))


async def confirm_log_out(request: Request) -> Response:
    """GET: never ends a session (no logout by link). A live session gets the "Log out" button; a dead staff
    cookie is dropped (it opens nothing any more); without a cookie there is nothing to do."""
    token = request_cookies(request).get(STAFF_COOKIE)
    if not token:
        return no_store(RedirectResponse(LOGIN_PATH, status_code=303))
    if await asyncio.to_thread(staff_sessions.current_staff, token) is not None:
        return confirm_logout_page(LOGOUT_PATH, HOME_PATH, message="Log out of the admin area on this device?")
    return no_store(_without_staff_cookie(RedirectResponse(LOGIN_PATH, status_code=303)))


def routes() -> list[Route]:
    return [
        Route(TICKET_PATH, redeem_ticket, methods=["GET"]),
        Route(LOGOUT_PATH, confirm_log_out, methods=["GET"]),
        Route(LOGOUT_PATH, log_out, methods=["POST"]),
    ]
