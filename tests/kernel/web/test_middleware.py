"""Every HTTP response carries the hardening headers; a new browser gets its binding cookie once."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from portal_app.kernel.web.csp import script_hash
from portal_app.kernel.web.middleware import DEVICE_COOKIE, PortalHeadersMiddleware

BUILT_PAGE = (
    "<!DOCTYPE html><html><head><script>document.documentElement.classList.add('light')</script>"
    '<script type="module" async="">import "/assets/manifest-1.js";</script>'
    '<script src="/assets/entry.js"></script></head><body><p>Log in</p></body></html>'
)


def _client(tmp_path: Path, base_url: str = "http://localhost", route_headers: dict | None = None) -> TestClient:
    (tmp_path / "login").mkdir(exist_ok=True)
    (tmp_path / "login" / "index.html").write_text(BUILT_PAGE)
    app = Starlette(
        routes=[
            Route("/", lambda request: PlainTextResponse("ok")),
            Route("/page", lambda request: HTMLResponse(BUILT_PAGE)),
            Route("/own", lambda request: PlainTextResponse("ok", headers=route_headers or {})),
            Route("/assets/entry.js", lambda request: Response("1", media_type="text/javascript")),
            Route("/assets/theme.css", lambda request: Response("p{}", media_type="text/css; charset=utf-8")),
            Route("/logo.svg", lambda request: Response("<svg/>", media_type="image/svg+xml")),
        ]
    )
    return TestClient(PortalHeadersMiddleware(app, pages_dir=tmp_path), base_url=base_url)


def _policy(response) -> dict[str, str]:
    directives = [part.strip() for part in response.headers["content-security-policy"].split(";")]
    return {directive.split(" ", 1)[0]: directive.partition(" ")[2] for directive in directives}


def test_pages_cannot_be_framed_or_sniffed(settings_env, tmp_path):
    response = _client(tmp_path).get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert _policy(response)["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_the_policy_allows_the_built_pages_inline_scripts_by_hash_and_nothing_inline_else(settings_env, tmp_path):
    policy = _policy(_client(tmp_path).get("/page"))
    scripts = policy["script-src"].split()
    assert script_hash("document.documentElement.classList.add('light')") in scripts
    assert script_hash('import "/assets/manifest-1.js";') in scripts
    assert "'unsafe-inline'" not in scripts and "*" not in scripts and "data:" not in scripts
    assert "'self'" in scripts
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert policy["default-src"] == "'self'"


def test_the_event_websocket_of_the_public_url_is_allowed(settings_env, tmp_path):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example")
    assert "wss://portal.example" in _policy(_client(tmp_path).get("/")).get("connect-src", "").split()
    settings_env(PORTAL_PUBLIC_URL="http://localhost:3000")
    assert "ws://localhost:3000" in _policy(_client(tmp_path).get("/")).get("connect-src", "").split()


def test_a_rebuilt_frontend_is_read_again(settings_env, tmp_path):
    client = _client(tmp_path)
    assert script_hash("rebuilt()") not in _policy(client.get("/"))["script-src"]
    (tmp_path / "signup").mkdir()
    (tmp_path / "signup" / "index.html").write_text("<script>rebuilt()</script>")
    assert script_hash("rebuilt()") in _policy(client.get("/"))["script-src"]


def test_a_routes_own_headers_are_kept(settings_env, tmp_path):
    own = {"Content-Security-Policy": "sandbox; default-src 'none'", "Referrer-Policy": "no-referrer"}
    response = _client(tmp_path, route_headers=own).get("/own")
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert len(response.headers.get_list("content-security-policy")) == 1


def test_no_hsts_over_plain_http(settings_env, tmp_path):
    assert "strict-transport-security" not in _client(tmp_path).get("/").headers


def test_hsts_when_the_public_url_is_https(settings_env, tmp_path):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example")
    response = _client(tmp_path).get("/")
    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_hsts_when_the_connection_itself_is_tls(settings_env, tmp_path):
    response = _client(tmp_path, base_url="https://localhost").get("/")
    assert response.headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        ("1", "https", True),
        ("1", "http", False),
        ("1", "https, http", False),  # a client's own claim, then the proxy's: the proxy's counts
        ("2", "https, http", True),
        ("2", "https", False),  # fewer entries than trusted proxies: nothing to trust
        ("0", "https", False),  # no trusted proxy: the header is anyone's to send
    ],
)
def test_hsts_from_a_trusted_proxys_forwarded_proto(settings_env, tmp_path, hops, forwarded, expected):
    settings_env(PORTAL_TRUSTED_PROXY_HOPS=hops)
    response = _client(tmp_path).get("/", headers={"X-Forwarded-Proto": forwarded})
    assert ("strict-transport-security" in response.headers) is expected


def test_a_new_browser_gets_an_httponly_binding_cookie_once(settings_env, tmp_path):
    client = _client(tmp_path)
    first = client.get("/")
    set_cookie = first.headers["set-cookie"]
    assert set_cookie.startswith(f"{DEVICE_COOKIE}=")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    assert "Secure" not in set_cookie
    second = client.get("/")
    assert "set-cookie" not in second.headers


def test_a_malformed_cookie_next_to_the_binding_cookie_does_not_issue_a_new_one(settings_env, tmp_path):
    response = _client(tmp_path).get("/", headers={"Cookie": f'bad"one=1; {DEVICE_COOKIE}=kept; $Version=1'})
    assert "set-cookie" not in response.headers


def test_the_binding_cookie_is_secure_on_https(settings_env, tmp_path):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example")
    assert "Secure" in _client(tmp_path).get("/").headers["set-cookie"]


def test_scripts_and_stylesheets_go_without_the_policy_and_the_cookie_documents_and_svg_keep_them(
    settings_env, tmp_path
):
    """A cold page load fetches a dozen scripts and stylesheets at once: the ~3 KiB policy and a fresh binding
    cookie on each of them only cost bytes. Whatever can be opened as a document (SVG included) keeps both."""
    client = _client(tmp_path)
    for path in ("/assets/entry.js", "/assets/theme.css"):
        response = client.get(path)
        assert "content-security-policy" not in response.headers and "set-cookie" not in response.headers, path
        assert response.headers["x-content-type-options"] == "nosniff"
    for path in ("/page", "/logo.svg", "/"):
        response = _client(tmp_path).get(path)
        assert "frame-ancestors" in response.headers["content-security-policy"], path
        assert DEVICE_COOKIE in response.headers["set-cookie"], path


def test_the_builds_hashed_assets_are_kept_a_year_pages_are_asked_for_again(settings_env, tmp_path):
    """A page must reach the server each time (a 304 when unchanged): that answer gives a browser whose
    cookies were cleared its binding cookie again, which a page kept in a cache never would."""
    client = _client(tmp_path)
    assert client.get("/assets/entry.js").headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in ("/page", "/", "/logo.svg"):
        assert client.get(path).headers["cache-control"] == "no-cache", path
