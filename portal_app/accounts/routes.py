"""The HTTP routes that set and clear the portal's HttpOnly cookies.

A page never sees a session token: its handler issues a one-time ticket and sends the browser
here; this route exchanges the ticket for the cookie and redirects to the page.

Logout is a POST from the portal's own pages (the account menu's "Log out" submits a form), and it ends
the session named by the cookie that POST carries: the browser's cookie now, not the one a tab's
websocket connected with (stale after an account switch or a login in another tab). A GET only shows
a "Log out" button, so a link or image on another site cannot sign anyone out.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal_app.accounts import security_log, sessions, tickets
from portal_app.accounts.validation import safe_next_path
from portal_app.apps import access
from portal_app.kernel import db
from portal_app.kernel.settings import get_settings
from portal_app.kernel.tokens import presented_token
from portal_app.kernel.web.cookies import request_cookies
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from portal_app.kernel.web.origin import from_portal_pages
from portal_app.kernel.web.standalone import confirm_logout_page, signed_out_page

LOGOUT_PATH = "/auth/logout"
LOGIN_PATH = "/login"


def client_ip(request: Request) -> str:
    hops = get_settings().trusted_proxy_hops
    if hops:
        forwarded = [ip.strip() for ip in request.headers.get("x-forwarded-for", "").split(",") if ip.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.client.host if request.client else ""


def no_store(response: RedirectResponse) -> RedirectResponse:
    """Redirects that carry or set credentials are never cached and leak no referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def redeem_ticket(request: Request) -> RedirectResponse:
    ticket = request.query_params.get("t", "")
    grant = None
    if presented_token(ticket):
        try:
            grant = await asyncio.to_thread(
                tickets.redeem_ticket,
                ticket,
                user_agent=request.headers.get("user-agent", "")[:512],
                ip=client_ip(request),
                browser_token=request_cookies(request).get(DEVICE_COOKIE),
            )
        except tickets.AccountDisabled:
            return no_store(RedirectResponse("/login?disabled=1", status_code=303))
    if grant is None:
        return no_store(RedirectResponse("/login?expired=1", status_code=303))
    destination = safe_next_path(grant.next_path)
    if grant.account_id is not None:
        destination = await asyncio.to_thread(access.landing_path, grant.account_id, destination)
    response = RedirectResponse(destination, status_code=303)
    response.set_cookie(
        grant.name,
        grant.value,
        max_age=grant.max_age,
        path="/",
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
    )
    if grant.name == tickets.SESSION_COOKIE:
        # A finished signup leaves nothing behind in the browser.
        response.delete_cookie(
            tickets.SIGNUP_COOKIE, path="/", httponly=True, secure=get_settings().secure_cookies, samesite="lax"
        )
    return no_store(response)


def end_session(token: str, *, ip: str, user_agent: str) -> bool:
    """End the session this cookie token names, logging the sign-out in the same transaction; False when the
    token names no session (already ended, expired, or never one)."""
    with db.write_session() as session:
        found = sessions.lookup(session, token)
        if found is None:
            return False
        row, account = found
        session.delete(row)
        security_log.record(session, "signed_out", account_id=account.id, ip=ip, user_agent=user_agent)
    return True


def _without_session_cookie(response: Response) -> Response:
    response.delete_cookie(
        tickets.SESSION_COOKIE, path="/", httponly=True, secure=get_settings().secure_cookies, samesite="lax"
    )
    return response


async def log_out(request: Request) -> Response:
    """POST /auth/logout, from a portal page: end this browser's session and drop the cookie."""
    if not from_portal_pages(request):
        return confirm_logout_page(
            LOGOUT_PATH,
            "/",
            message="This sign-out request did not come from this portal's pages, so nothing changed.",
            status_code=403,
        )
    token = presented_token(request_cookies(request).get(tickets.SESSION_COOKIE))
    if token is not None:
        await asyncio.to_thread(
            end_session, token, ip=client_ip(request), user_agent=request.headers.get("user-agent", "")[:512]
        )
    return _without_session_cookie(signed_out_page(LOGIN_PATH))


async def confirm_log_out(request: Request) -> Response:
    """GET /auth/logout (a bookmark, an old link, another site's link): ends nothing. A live session gets the
    "Log out" button; without one there is nothing to do but log in."""
    token = presented_token(request_cookies(request).get(tickets.SESSION_COOKIE))
    if token is not None and await asyncio.to_thread(sessions.current_session, token) is not None:
        return confirm_logout_page(LOGOUT_PATH, "/", message="Log out of the portal on this device?")
    return no_store(RedirectResponse(LOGIN_PATH, status_code=303))


def routes() -> list[Route]:
    return [
        Route("/auth/ticket", redeem_ticket, methods=["GET"]),
        Route(LOGOUT_PATH, confirm_log_out, methods=["GET"]),
        Route(LOGOUT_PATH, log_out, methods=["POST"]),
    ]
