"""Every HTTP response carries the hardening headers; a new browser gets its binding cookie once."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from portal_app.kernel.web.middleware import DEVICE_COOKIE, PortalHeadersMiddleware


def _client() -> TestClient:
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("ok"))])
    return TestClient(PortalHeadersMiddleware(app), base_url="http://localhost")


def test_pages_cannot_be_framed_or_sniffed(settings_env):
    response = _client().get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_a_new_browser_gets_an_httponly_binding_cookie_once(settings_env):
    client = _client()
    first = client.get("/")
    set_cookie = first.headers["set-cookie"]
    assert set_cookie.startswith(f"{DEVICE_COOKIE}=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    assert "Secure" not in set_cookie
    second = client.get("/")
    assert "set-cookie" not in second.headers


def test_the_binding_cookie_is_secure_on_https(settings_env):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example")
    assert "Secure" in _client().get("/").headers["set-cookie"]
