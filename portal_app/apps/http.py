"""For an app's HTTP routes (files, downloads, webhooks): who is asking, and may they open the app.

A route is plain Starlette; the session cookie is HttpOnly and reaches it with the request, so a
download link works like a page: signed in, app open, else refused. Webhooks from other systems
carry no session and must check their own signature.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount

from portal_app.accounts import sessions, tickets
from portal_app.admin import staff_sessions
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.apps import access
from portal_app.apps.files import ServedFile
from portal_app.apps.registry import all_apps, resolve
from portal_app.kernel.tokens import presented_token

# What every stored file is served with: the kind it was sniffed as and no other reading of it
# (nosniff), nothing it might contain runs (a sandbox CSP), kept briefly by the browser only.
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, max-age=300",
}


def file_response(served: ServedFile) -> FileResponse:
    """A stored file (apps/files.served) as a route's answer: a download when it has a download name,
    else shown in the page; Range requests work (for seeking in videos)."""
    return FileResponse(
        served.path,
        media_type=served.content_type,
        filename=served.download_name,
        content_disposition_type="attachment" if served.download_name else "inline",
        headers=FILE_HEADERS,
    )


async def signed_in_account(request: Request) -> int | None:
    """The account whose live session cookie came with the request, or None."""
    token = presented_token(request.cookies.get(tickets.SESSION_COOKIE))
    if token is None:
        return None
    return await asyncio.to_thread(sessions.account_for_token, token)


async def account_with_access(request: Request, app_key: str, *, role: str | None = None) -> int | None:
    """The signed-in account when it may open the app now (with at least `role`), else None."""
    account_id = await signed_in_account(request)
    if account_id is None:
        return None
    decision = await asyncio.to_thread(access.can_open, account_id, app_key, role=role)
    return account_id if decision.allowed else None


def child_app_routes() -> list:
    """Each app's HTTP routes, mounted under /api/apps/<key>/ (for webhooks and files)."""
    return [Mount(app.api_route, routes=list(resolve(app.http_routes)())) for app in all_apps() if app.http_routes]


async def staff_member(request: Request):
    """The staff member whose live staff session cookie came with the request, or None (for an app's
    routes the admin pages use, such as a course's cover in the builder)."""
    token = request.cookies.get(STAFF_COOKIE)
    if not token:
        return None
    return await asyncio.to_thread(staff_sessions.current_staff, token)
