"""The portal as served (production build, one port): its headers, a CSP the built pages pass, logout by
POST only, and the magic-link page naming whose link it is. Driven by Debian's Chromium."""

from __future__ import annotations

import re
import urllib.request

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.accounts import security_log
from portal_app.accounts.models import Account
from portal_app.kernel import db
from tests.e2e.support import (
    HOME,
    LOGIN,
    create_account,
    link_in,
    log_in,
    log_out,
    new_email,
    open_account_menu,
    request_code,
    sessions_of,
    sign_up_and_verify,
    wait_for_email,
)

PAGES = ("/login", "/signup", "/magic?token=nothing", "/admin/login", "/")


def _headers(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return {name.lower(): value for name, value in response.headers.items()}


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def _watch_csp(page: Page) -> list[str]:
    """Every CSP violation the browser reports on this page, from now on."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def _account_id(email: str) -> int:
    with db.read_session() as session:
        return session.exec(select(Account.id).where(Account.email == email)).one()


def test_every_page_carries_the_hardening_headers(portal_url):
    for path in PAGES:
        headers = _headers(portal_url + path)
        policy = _directives(headers["content-security-policy"])
        assert policy["frame-ancestors"] == ["'none'"], path
        assert "'unsafe-inline'" not in policy["script-src"], path
        assert any(source.startswith("'sha256-") for source in policy["script-src"]), path
        assert policy["object-src"] == ["'none'"] and policy["form-action"] == ["'self'"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "same-origin", path
        # Served over plain http here: HSTS would be ignored, and is not sent.
        assert "strict-transport-security" not in headers, path


def test_the_built_pages_run_under_the_policy(page: Page, base_url: str):
    """Every page loads and answers (its ready mark), signing up and in works (the ticket's full page load
    goes through Reflex's eval), and the browser reports no blocked script, style or connection."""
    violations = _watch_csp(page)
    for path in ("/login", "/signup", "/admin/login"):
        page.goto(path)
    sign_up_and_verify(page, base_url, name="Policy Person", email=new_email("csp"))
    page.goto("/profile")
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    open_account_menu(page)
    assert violations == []


def test_an_injected_inline_script_is_refused(page: Page):
    page.goto("/login")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__injected = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.__injected") is None


def test_log_out_posts_ends_this_session_and_logs_it(page: Page, base_url: str):
    email = new_email("logout")
    sign_up_and_verify(page, base_url, name="Logout Person", email=email)
    account_id = _account_id(email)
    with page.expect_request(lambda request: request.url.endswith("/auth/logout")) as sent:
        log_out(page)
    assert sent.value.method == "POST"
    assert sessions_of(account_id) == []
    assert "signed_out" in [event.kind for event in security_log.for_account(account_id)]
    # The tab dropped its Reflex client token: Back does not bring the account's page or name back.
    page.go_back()
    expect(page.get_by_text("Logout Person")).to_have_count(0)


def test_log_out_works_from_the_keyboard(page: Page, base_url: str):
    sign_up_and_verify(page, base_url, name="Keyboard Person", email=new_email("keys"))
    page.locator("#account-menu-button").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menu")).to_be_visible()
    item = page.get_by_role("menuitem", name="Log out")
    for _ in range(12):
        if item.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(LOGIN)


def test_log_out_in_a_stale_tab_ends_the_session_the_browser_has_now(page: Page, base_url: str):
    """Tab A signed in as Ann; tab B logged in as Bob since. "Log out" in tab A signs Bob out, not only Ann."""
    ann, bob = new_email("ann"), new_email("bob")
    sign_up_and_verify(page, base_url, name="Ann Stale", email=ann)
    bob_id = create_account(bob, "Bob Current")
    other_tab = page.context.new_page()
    page.context.clear_cookies()  # Ann's cookie is gone (expired, say): the other tab shows the login page
    log_in(other_tab, email=bob)
    other_tab.wait_for_url(HOME)
    assert len(sessions_of(bob_id)) == 1

    log_out(page)
    assert sessions_of(bob_id) == []
    other_tab.goto("/")
    other_tab.wait_for_url(re.compile(r".*/login.*"))


def test_another_site_cannot_log_anyone_out(page: Page, base_url: str, portal_url: str):
    email = new_email("csrf")
    sign_up_and_verify(page, base_url, name="Csrf Target", email=email)
    account_id = _account_id(email)

    # A link (GET) only offers the button.
    page.goto("/auth/logout")
    expect(page.get_by_role("button", name="Log out")).to_be_focused()
    assert len(sessions_of(account_id)) == 1

    # A page on another site whose form POSTs to the portal: refused, nothing ends.
    evil_page = f'<form method="post" action="{portal_url}/auth/logout"><button>Win a prize</button></form>'
    page.route("http://evil.example/**", lambda route: route.fulfill(content_type="text/html", body=evil_page))
    page.goto("http://evil.example/prize")
    with page.expect_response(lambda response: response.url.endswith("/auth/logout")) as answer:
        page.get_by_role("button", name="Win a prize").click()
    assert answer.value.status == 403
    assert len(sessions_of(account_id)) == 1
    page.goto("/")
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Csrf Target")).to_be_visible()

    # The button on the GET page does log out.
    page.goto("/auth/logout")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(LOGIN)
    assert sessions_of(account_id) == []


def test_the_magic_link_page_says_whose_link_it_is(page: Page, base_url: str):
    email = new_email("m")
    create_account(email, "Magic Person")
    request_code(page, email)
    link = link_in(wait_for_email(base_url, email))
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("button", name="Continue as m***@example.com")).to_be_visible()
    expect(page.get_by_text(email)).to_have_count(0)
