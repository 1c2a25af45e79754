"""Reading cookies from a raw Cookie header, the way browsers and Starlette do.

One malformed cookie on the host (a sibling subdomain's, an odd quote) must not hide the others:
http.cookies.SimpleCookie gives up on the whole header at the first one it cannot parse, so a
stray cookie could keep everyone signed out. Starlette's parser takes each `name=value` pair on
its own.
"""

from __future__ import annotations

from starlette.requests import cookie_parser


def cookies_in(cookie_header: str | None) -> dict[str, str]:
    """Every cookie in the header by name (the last one wins, as in Starlette); {} for none."""
    if not cookie_header:
        return {}
    return {name: value for name, value in cookie_parser(cookie_header).items() if name}


def cookie_value(cookie_header: str | None, name: str) -> str | None:
    """The value of one cookie, or None when it is absent or empty."""
    return cookies_in(cookie_header).get(name) or None
