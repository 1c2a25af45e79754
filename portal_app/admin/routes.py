"""The admin area's HTTP routes: they set and clear the HttpOnly staff cookie.

The sign-in page never sees the staff session's token: its handler gets a one-time ticket bound
to this browser and sends the browser here, which trades it for the cookie and opens /admin.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from portal_app.accounts.routes import client_ip, no_store
from portal_app.admin import staff_login, staff_sessions
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.kernel.settings import get_settings
from portal_app.kernel.tokens import presented_token
from portal_app.kernel.web.middleware import DEVICE_COOKIE

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
            browser_token=request.cookies.get(DEVICE_COOKIE),
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


async def log_out(request: Request) -> RedirectResponse:
    """End the staff session (if the cookie came along) and drop the cookie."""
    token = request.cookies.get(STAFF_COOKIE)
    if token:
        await asyncio.to_thread(staff_sessions.end_session, token)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(
        STAFF_COOKIE, path="/", httponly=True, secure=get_settings().secure_cookies, samesite=SAME_SITE
    )
    return no_store(response)


def routes() -> list[Route]:
    return [
        Route(TICKET_PATH, redeem_ticket, methods=["GET"]),
        Route(LOGOUT_PATH, log_out, methods=["GET"]),
    ]
