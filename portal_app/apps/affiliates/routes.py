"""Affiliate Manager's HTTP routes.

At the root prefix /r (root_routes): GET /r/<code> and /r/<code>/<campaign slug>, the referral links
people share: a click, the referral cookie, and a redirect (links.follow). Under /api/apps/affiliates
(routes): POST /sale, the shop's signed sales and refunds (webhook.handle).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal_app.apps.affiliates import links, webhook
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.http import app_cookie_header
from portal_app.apps.registry import get_app
from portal_app.kernel import clock


async def follow_link(request: Request) -> Response:
    child = get_app(APP_KEY)
    own_cookies = {name: value for name, value in request.cookies.items() if name.startswith(child.cookie_prefix)}
    to = request.query_params.get("to")
    if request.method == "HEAD":  # a link checker asking what is there: no click, no cookie
        return RedirectResponse(await asyncio.to_thread(links.safe_target, to), status_code=302)
    followed = await asyncio.to_thread(
        links.follow, request.path_params["code"], request.path_params.get("campaign"), to=to, cookies=own_cookies
    )
    response = RedirectResponse(followed.location, status_code=302, headers={"Cache-Control": "no-store"})
    for cookie in followed.cookies:
        response.raw_headers.append((b"set-cookie", app_cookie_header(child, cookie)))
    return response


async def sale(request: Request) -> Response:
    body = await _body_up_to(request, webhook.MAX_BODY_BYTES + 1)
    status, answer = await asyncio.to_thread(webhook.handle, body, request.headers, clock.now())
    return JSONResponse(answer, status_code=status, headers={"Cache-Control": "no-store"})


async def _body_up_to(request: Request, limit: int) -> bytes:
    """The body, read no further than `limit` bytes (a larger one is refused by its size, unread)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) >= limit:
        return b"\0" * limit
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def root_routes() -> list[Route]:
    """Mounted at /r: the referral links."""
    return [
        Route("/{code}", follow_link, methods=["GET"]),
        Route("/{code}/{campaign}", follow_link, methods=["GET"]),
    ]


def routes() -> list[Route]:
    """Mounted at /api/apps/affiliates: the shop's webhook."""
    return [Route("/sale", sale, methods=["POST"])]
