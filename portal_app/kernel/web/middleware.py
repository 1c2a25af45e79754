"""HTTP hardening around every response: security headers, and the browser-binding cookie.

The browser-binding cookie ("portal_device") is a random HttpOnly value the portal gives each
browser on its first page load. A sign-in ticket is bound to it, so a ticket only works in the
browser whose page asked for it: nobody can sign a victim's browser into another account by
sending them a ticket link (login CSRF).
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.kernel.settings import get_settings
from portal_app.kernel.web.cookies import cookie_value

DEVICE_COOKIE = "portal_device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept

SECURITY_HEADERS = [
    # No other site may frame the portal's pages (clickjacking on login and account pages).
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def _device_cookie_header(value: str) -> bytes:
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


class PortalHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie_header = b"; ".join(value for name, value in scope.get("headers", []) if name == b"cookie")
        needs_device = cookie_value(cookie_header.decode("latin-1"), DEVICE_COOKIE) is None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in SECURITY_HEADERS if header[0] not in present)
                if needs_device:
                    headers.append((b"set-cookie", _device_cookie_header(secrets.token_urlsafe(32))))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
