"""HTTP hardening around every response: security headers, and the browser-binding cookie.

The browser-binding cookie ("portal_device") is a random HttpOnly value the portal gives each
browser on its first page load. A sign-in ticket is bound to it, so a ticket only works in the
browser whose page asked for it: nobody can sign a victim's browser into another account by
sending them a ticket link (login CSRF).

In production (`reflex run --env prod --single-port`) the built pages are served by the same ASGI
app this middleware wraps, so pages, the portal's routes and assets all get the same headers.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.kernel.settings import get_settings
from portal_app.kernel.web import csp
from portal_app.kernel.web.cookies import scope_cookies

DEVICE_COOKIE = "portal_device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept
# One year: browsers remember to use https only for this long after each visit. Not includeSubDomains
# and not preload: those bind other hosts of the operator's domain, which is the operator's call.
HSTS = b"max-age=31536000"
# The build's /assets/ files are named by their content's hash (a new build, new names): browsers may keep
# them a year without asking again. Everything else is asked for again each time (a 304 when unchanged):
# a page must reach the server, which gives a browser without one its binding cookie (a page kept from a
# heuristic cache, with its scripts cached for a year, would never ask, and its sign-in could not be bound).
HASHED_ASSETS = "/assets/"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"

SECURITY_HEADERS = [
    # No other site may frame the portal's pages (clickjacking on login and account pages); the CSP's
    # frame-ancestors says the same to browsers that know it.
    (b"x-frame-options", b"DENY"),
    # A file is only ever read as the type it was sent as (no script from a sniffed upload).
    (b"x-content-type-options", b"nosniff"),
    # The portal's URLs (tokens in /magic and /auth/ticket, ids in paths) never leave for other sites.
    # Same-origin requests keep it, so a POST from a portal page still says where it came from.
    (b"referrer-policy", b"same-origin"),
]


def _device_cookie_header(value: str) -> bytes:
    # Writing (not parsing) a Set-Cookie value: SimpleCookie's output is fine here.
    jar = SimpleCookie()
    jar[DEVICE_COOKIE] = value
    morsel = jar[DEVICE_COOKIE]
    morsel["path"] = "/"
    morsel["max-age"] = DEVICE_COOKIE_MAX_AGE
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if get_settings().secure_cookies:
        morsel["secure"] = True
    return morsel.OutputString().encode("latin-1")


def served_over_https(scope: Scope) -> bool:
    """Whether the browser reached the portal over https: PORTAL_PUBLIC_URL says so, the connection is TLS,
    or (only with PORTAL_TRUSTED_PROXY_HOPS set) the trusted proxy's X-Forwarded-Proto says https."""
    settings = get_settings()
    if settings.public_url.startswith("https://") or scope.get("scheme") in ("https", "wss"):
        return True
    hops = settings.trusted_proxy_hops
    if not hops:
        return False
    raw = b",".join(value for name, value in scope.get("headers", []) if name == b"x-forwarded-proto")
    protos = [proto.strip().lower() for proto in raw.decode("latin-1").split(",") if proto.strip()]
    # Read like X-Forwarded-For: the entry the outermost trusted proxy wrote.
    return len(protos) >= hops and protos[-hops] == "https"


# What a page loads that can never run as a document of its own (SVG can: it is not listed).
SUBRESOURCE_TYPES = (
    b"text/javascript",
    b"application/javascript",
    b"text/css",
    b"font/",
    b"image/png",
    b"image/jpeg",
    b"image/webp",
    b"image/gif",
    b"image/avif",
    b"image/x-icon",
    b"image/vnd.microsoft.icon",
)


def _is_subresource(headers: list[tuple[bytes, bytes]]) -> bool:
    types = [value for name, value in headers if name.lower() == b"content-type"]
    kind = types[-1].split(b";")[0].strip().lower() if types else b""
    return any(kind == known or (known.endswith(b"/") and kind.startswith(known)) for known in SUBRESOURCE_TYPES)


class PortalHeadersMiddleware:
    def __init__(self, app: ASGIApp, pages_dir: Path | None = None) -> None:
        self.app = app
        # Where the built pages are; found from Reflex's settings on first use unless given (tests).
        self.pages_dir = pages_dir

    def _policy(self) -> bytes:
        if self.pages_dir is None:
            self.pages_dir = csp.built_pages_dir()
        hashes = csp.built_script_hashes(self.pages_dir)
        return csp.page_policy(hashes, get_settings().public_url).encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        needs_device = not scope_cookies(scope).get(DEVICE_COOKIE)
        https = served_over_https(scope)
        hashed_asset = scope["path"].startswith(HASHED_ASSETS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in SECURITY_HEADERS if header[0] not in present)
                if https and b"strict-transport-security" not in present:
                    headers.append((b"strict-transport-security", HSTS))
                if b"cache-control" not in present:
                    headers.append(
                        (b"cache-control", IMMUTABLE if hashed_asset and message["status"] == 200 else REVALIDATE)
                    )
                # The policy and the browser's cookie stay off a page's scripts, stylesheets, fonts and raster
                # images: there they cost ~3 KiB each and protect or bind nothing (a cold page load carried
                # 120-170 KiB of them). Everything else (pages, routes, SVG, JSON) keeps both.
                if not _is_subresource(headers):
                    if b"content-security-policy" not in present:
                        headers.append((b"content-security-policy", self._policy()))
                    if needs_device:
                        headers.append((b"set-cookie", _device_cookie_header(secrets.token_urlsafe(32))))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
