"""Cookie headers as a hostile host sends them: each cookie is read on its own, one bad one hides nothing."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from portal_app.kernel.web.cookies import cookie_value, cookies_in, request_cookies

TOKEN = "A" * 43

HOSTILE_HEADERS = {
    "malformed-before": f'bad"cookie=1; {{}}=[]; portal_session={TOKEN}',
    "malformed-after": f'portal_session={TOKEN}; bad"cookie=1; ===; ;;',
    "unterminated-quote-before": f'x="unterminated; portal_session={TOKEN}',
    "quoted-value-elsewhere": f'x="a;b"; portal_session={TOKEN}',
    "semicolons-and-spaces": f";;; ;  portal_session={TOKEN} ;; ;",
    "version-attributes": f'$Version=1; portal_session={TOKEN}; $Path="/"; $Domain=example.com',
    "non-ascii-neighbour": f"caf\u00e9=cr\u00e8me; portal_session={TOKEN}; \u00ff=\u00fe",
    "control-characters-neighbour": f"x=\x00\x1b; portal_session={TOKEN}",
    "huge-header": "; ".join(f"c{i}={'x' * 100}" for i in range(10_000)) + f"; portal_session={TOKEN}",
    "no-equals-sign-neighbour": f"justaname; portal_session={TOKEN}",
    "comma-separated-neighbour": f"a=1, b=2; portal_session={TOKEN}",
}


@pytest.mark.parametrize("name", HOSTILE_HEADERS)
def test_one_bad_cookie_never_hides_the_portals(name):
    assert cookie_value(HOSTILE_HEADERS[name], "portal_session") == TOKEN


def test_a_quoted_value_is_unquoted_like_a_browser_sent_it():
    assert cookies_in('a="hello"; b="\\"x\\""') == {"a": "hello", "b": '"x"'}


def test_nothing_and_empty_are_no_cookies():
    assert cookies_in(None) == {} and cookies_in("") == {} and cookies_in(";;; ;") == {}
    assert cookie_value("portal_session=", "portal_session") is None


def test_a_duplicate_name_keeps_the_last_value_and_hides_no_other_cookie():
    """Browsers send a host's and a parent domain's cookie of one name together; the rest still counts."""
    cookies = cookies_in(f"portal_device=dev; portal_session=first; portal_session={TOKEN}; theme=dark")
    assert cookies == {"portal_device": "dev", "portal_session": TOKEN, "theme": "dark"}


def _request(*cookie_headers: bytes) -> Request:
    return Request({"type": "http", "headers": [(b"cookie", value) for value in cookie_headers]})


def test_a_request_reads_every_cookie_header_not_only_the_first():
    """HTTP/2 lets a browser split its cookies over several Cookie headers."""
    request = _request(b"theme=dark", f"portal_session={TOKEN}".encode())
    assert request_cookies(request) == {"theme": "dark", "portal_session": TOKEN}


def test_a_request_with_raw_non_utf8_bytes_is_read_without_error():
    request = _request(b"x=\xff\xfe; portal_session=" + TOKEN.encode())
    assert request_cookies(request)["portal_session"] == TOKEN
