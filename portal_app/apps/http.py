"""For an app's HTTP routes (files, downloads, webhooks): who is asking, and may they open the app.

A route is plain Starlette; the session cookie is HttpOnly and reaches it with the request, so a
download link works like a page: signed in, app open, else refused. Webhooks from other systems
carry no session and must check their own signature.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.accounts import sessions, tickets
from portal_app.admin import staff_sessions
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.apps import access
from portal_app.apps.files import ServedFile
from portal_app.apps.registry import ChildApp, all_apps, resolve
from portal_app.kernel.settings import get_settings
from portal_app.kernel.tokens import presented_token
from portal_app.kernel.web.cookies import request_cookies, scope_cookies

# What every stored file is served with: the kind it was sniffed as and no other reading of it
# (nosniff), nothing it might contain runs (a sandbox CSP), kept briefly by the browser only.
log = logging.getLogger(__name__)

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
    token = presented_token(request_cookies(request).get(tickets.SESSION_COOKIE))
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
    """Each app's HTTP routes, mounted under /api/apps/<key>/ (for webhooks and files), and its root
    routes under its root prefix (short links such as /r/<code>)."""
    routes = [Mount(app.api_route, routes=list(resolve(app.http_routes)())) for app in all_apps() if app.http_routes]
    routes += [Mount(app.root_prefix, routes=list(resolve(app.root_routes)())) for app in all_apps() if app.root_routes]
    return routes


@dataclass(frozen=True)
class AppCookie:
    """A first-party cookie an app asks the browser to keep: HttpOnly, SameSite=Lax, Secure when the portal
    is served over HTTPS, for the whole site. `name` must start with the app's cookie_prefix."""

    name: str
    value: str
    max_age: int


def app_cookie_header(app: ChildApp, cookie: AppCookie) -> bytes:
    """The Set-Cookie value for one of the app's cookies; ValueError for a name outside its prefix or a
    value a cookie cannot carry."""
    if not isinstance(cookie, AppCookie) or not cookie.name.startswith(app.cookie_prefix):
        raise ValueError(f"app {app.key!r} may only set cookies named {app.cookie_prefix}*")
    if not _COOKIE_TEXT.fullmatch(cookie.name) or not _COOKIE_TEXT.fullmatch(cookie.value):
        raise ValueError("cookie names and values are letters, digits and - _ . only")
    parts = [f"{cookie.name}={cookie.value}", "Path=/", f"Max-Age={int(cookie.max_age)}", "HttpOnly", "SameSite=Lax"]
    if get_settings().secure_cookies:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


_COOKIE_TEXT = re.compile(r"[A-Za-z0-9_.-]{1,200}")
# Paths that are never a page load: the event socket, uploads, the apps' and the portal's own routes.
_NOT_PAGES = ("/_event", "/_upload", "/api/", "/auth/", "/ping", "/_next", "/assets/")


class LandingParamsMiddleware:
    """On a page load whose URL carries an app's landing parameter (`?ref=...`), ask the app which of its
    cookies the browser should keep, and add them to the answer. The app's function gets the value and
    the app's own cookies the browser sent (fn(value, cookies)); a failure in it is logged and the page
    loads as usual. An app's root routes (/r/...) are links of their own, never landing pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or path.startswith(_NOT_PAGES)
            or _is_root_route(path)
        ):
            await self.app(scope, receive, send)
            return
        wanted = _landing_values(scope.get("query_string", b""))
        if not wanted:
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = []
        sent = scope_cookies(scope)
        for child, value in wanted:
            own = {name: text for name, text in sent.items() if name.startswith(child.cookie_prefix)}
            try:
                cookies = await asyncio.to_thread(resolve(child.landing_params[value[0]]), value[1], own)
                headers += [(b"set-cookie", app_cookie_header(child, cookie)) for cookie in cookies or ()]
            except Exception:  # an app's bug must not break page loads
                log.exception("landing parameter %r of app %r failed", value[0], child.key)

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start" and headers:
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def _is_root_route(path: str) -> bool:
    return any(
        path == app.root_prefix or path.startswith(app.root_prefix + "/") for app in all_apps() if app.root_prefix
    )


def _landing_values(query_string: bytes) -> list[tuple[ChildApp, tuple[str, str]]]:
    """(app, (parameter, value)) for each app's landing parameter present in the query (first value only)."""
    if not query_string:
        return []
    declared = {param: app for app in all_apps() for param in app.landing_params}
    if not declared:
        return []
    found: dict[str, str] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=False):
        if name in declared and name not in found and len(value) <= 200:
            found[name] = value
    return [(declared[name], (name, value)) for name, value in found.items()]


async def staff_member(request: Request):
    """The staff member whose live staff session cookie came with the request, or None (for an app's
    routes the admin pages use, such as a course's cover in the builder)."""
    token = request_cookies(request).get(STAFF_COOKIE)
    if not token:
        return None
    return await asyncio.to_thread(staff_sessions.current_staff, token)
