"""Reading cookies from a raw Cookie header, the way browsers and Starlette do.

One malformed cookie on the host (a sibling subdomain's, an odd quote) must not hide the others:
http.cookies.SimpleCookie gives up on the whole header at the first one it cannot parse, so a
stray cookie could keep everyone signed out. Starlette's parser takes each `name=value` pair on
its own. Every place the portal reads a cookie goes through here: HTTP routes with
`request_cookies`, middleware with `scope_cookies`, Reflex handlers with `cookies_in` on the
websocket's Cookie header.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import HTTPConnection, cookie_parser


def cookies_in(cookie_header: str | None) -> dict[str, str]:
    """Every cookie in the header by name (the last one wins, as in Starlette); {} for none."""
    if not cookie_header:
        return {}
    return {name: value for name, value in cookie_parser(cookie_header).items() if name}


def cookie_value(cookie_header: str | None, name: str) -> str | None:
    """The value of one cookie, or None when it is absent or empty."""
    return cookies_in(cookie_header).get(name) or None


def joined_cookie_header(raw_headers: Iterable[tuple[bytes, bytes]]) -> str:
    """All Cookie headers of an ASGI request as one (HTTP/2 may split cookies over several headers)."""
    return "; ".join(value.decode("latin-1") for name, value in raw_headers if name.lower() == b"cookie")


def scope_cookies(scope) -> dict[str, str]:
    """The cookies of an ASGI request scope."""
    return cookies_in(joined_cookie_header(scope.get("headers", [])))


def request_cookies(request: HTTPConnection) -> dict[str, str]:
    """The cookies of a Starlette request, read by the same function as every other place in the portal, so a
    change of parser (or a Starlette upgrade that changes `request.cookies`) changes them all at once."""
    return scope_cookies(request.scope)
