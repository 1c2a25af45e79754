"""Reading the portal's HttpOnly cookies from a raw Cookie header."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie


def cookie_value(cookie_header: str, name: str) -> str | None:
    """The value of one cookie, or None when it is absent or the header is malformed."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel and morsel.value else None
