"""Where a state-changing request came from: only the portal's own pages pass."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from portal_app.kernel.web.origin import from_portal_pages, origin_of


def _request(**headers: str) -> Request:
    raw = [(name.replace("_", "-").lower().encode(), value.encode("latin-1")) for name, value in headers.items()]
    return Request({"type": "http", "headers": raw})


@pytest.fixture
def portal(settings_env):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example")


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://portal.example"},
        {"origin": "https://PORTAL.example:443"},
        {"referer": "https://portal.example/apps/notes?x=1"},
        {"origin": "https://portal.example", "sec_fetch_site": "same-origin"},
    ],
)
def test_the_portals_own_pages_pass(portal, headers):
    assert from_portal_pages(_request(**headers)) is True


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"origin": "null"},
        {"origin": "https://evil.example"},
        {"origin": "https://sub.portal.example"},
        {"origin": "http://portal.example"},
        {"origin": "https://portal.example:8443"},
        {"origin": "https://portal.example.evil.example"},
        {"referer": "https://evil.example/?https://portal.example/"},
        {"referer": "not a url"},
        {"origin": "https://portal.example", "sec_fetch_site": "cross-site"},
        {"origin": "https://portal.example", "sec_fetch_site": "same-site"},
        {"origin": "https://evil.example", "referer": "https://portal.example/"},
    ],
)
def test_anything_else_is_refused(portal, headers):
    assert from_portal_pages(_request(**headers)) is False


def test_origins_are_compared_in_their_normal_form():
    assert origin_of("HTTPS://Portal.Example:443/x") == "https://portal.example"
    assert origin_of("http://localhost:3000/") == "http://localhost:3000"
    assert origin_of("http://[::1]:3000/") == "http://[::1]:3000"
    assert origin_of("javascript:alert(1)") is None and origin_of("https://x:99999/") is None
