"""The HTTP routes that set and clear the portal's HttpOnly cookies.

A page never sees a session token: its handler issues a one-time ticket and sends the browser
here; this route exchanges the ticket for the cookie and redirects to the page.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from portal_app.accounts import tickets
from portal_app.accounts.validation import safe_next_path
from portal_app.apps import access
from portal_app.kernel.settings import get_settings
from portal_app.kernel.tokens import presented_token
from portal_app.kernel.web.middleware import DEVICE_COOKIE


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
                browser_token=request.cookies.get(DEVICE_COOKIE),
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


async def clear_session_cookie(request: Request) -> RedirectResponse:
    """Drop the cookie after the page's "Log out" handler has ended the session server-side."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        tickets.SESSION_COOKIE, path="/", httponly=True, secure=get_settings().secure_cookies, samesite="lax"
    )
    return no_store(response)


def routes() -> list[Route]:
    return [
        Route("/auth/ticket", redeem_ticket, methods=["GET"]),
        Route("/auth/logout", clear_session_cookie, methods=["GET"]),
    ]
