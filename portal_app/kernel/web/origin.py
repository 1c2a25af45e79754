"""Is a state-changing request from the portal's own pages? (Defence in depth against cross-site requests.)

The session cookie is SameSite=Lax, so another site's form POST carries no session; but its answer could
still clear the browser's cookie. A POST route that changes who is signed in therefore also asks the
browser where the request came from: `Sec-Fetch-Site` when sent, then `Origin`, then `Referer`. A request
that names another site, a sibling subdomain, or nothing at all is refused (every browser the portal's
pages run in sends Origin with a POST).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from portal_app.kernel.settings import get_settings


def origin_of(url: str) -> str | None:
    """ "https://portal.example:8443/path" -> "https://portal.example:8443"; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def portal_origin() -> str:
    return origin_of(get_settings().public_url) or ""


def from_portal_pages(request: HTTPConnection) -> bool:
    """True only when the browser says the request was started by a page of PORTAL_PUBLIC_URL's origin."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("origin")
    if origin is not None:
        return origin_of(origin) == portal_origin()
    referer = request.headers.get("referer")
    if referer:
        return origin_of(referer) == portal_origin()
    return False
