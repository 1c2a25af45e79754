"""Password login, sessions and their cookie, logout, and protected pages."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.support import HOME, PASSWORD, log_in, log_out, new_email, sign_up_and_verify

SESSION_COOKIE = "portal_session"


def _session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == SESSION_COOKIE), None)


def test_session_cookie_is_httponly_and_invisible_to_scripts(page: Page, base_url: str):
    sign_up_and_verify(page, base_url, name="Cookie Monster", email=new_email("cookie"))
    cookie = _session_cookie(page.context)
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"
    assert len(cookie["value"]) >= 43  # 256 bits, base64url
    assert SESSION_COOKIE not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.evaluate(
        "JSON.stringify(window.localStorage) + JSON.stringify(window.sessionStorage)"
    )
    # The signup's own cookie is gone once the account exists; the browser-binding cookie stays.
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert set(cookies) == {SESSION_COOKIE, "portal_device"}
    assert cookies["portal_device"]["httpOnly"] is True


def test_a_protected_page_without_a_session_redirects_to_login_and_back(page: Page, base_url: str):
    email = new_email("next")
    sign_up_and_verify(page, base_url, name="Next Person", email=email)
    page.context.clear_cookies()
    page.goto("/")
    page.wait_for_url("**/login?next=/")
    expect(page.get_by_role("heading", name="Welcome")).to_have_count(0)
    log_in(page, email=email, path="/login?next=/")
    page.wait_for_url(HOME)


def test_next_cannot_send_anyone_to_another_site(page: Page, base_url: str):
    email = new_email("redirect")
    sign_up_and_verify(page, base_url, name="Safe Landing", email=email)
    page.context.clear_cookies()
    log_in(page, email=email, path="/login?next=https://evil.example/phish")
    page.wait_for_url(HOME)
    assert page.url.startswith(base_url)


def test_a_cookie_replayed_after_logout_is_refused(page: Page, base_url: str, browser):
    sign_up_and_verify(page, base_url, name="Replay Target", email=new_email("replay"))
    stolen = _session_cookie(page.context)
    log_out(page)
    assert _session_cookie(page.context) is None

    attacker = browser.new_context(base_url=base_url)
    attacker.add_cookies([{**stolen}])
    attacker_page = attacker.new_page()
    attacker_page.goto("/")
    attacker_page.wait_for_url("**/login?next=/")
    expect(attacker_page.get_by_text("Replay Target")).to_have_count(0)
    attacker.close()


def test_every_login_issues_a_new_token(page: Page, base_url: str):
    email = new_email("rotate")
    sign_up_and_verify(page, base_url, name="Token Rotation", email=email)
    first = _session_cookie(page.context)["value"]
    log_out(page)
    log_in(page, email=email)
    page.wait_for_url(HOME)
    assert _session_cookie(page.context)["value"] != first


def test_wrong_password_and_unknown_email_get_the_same_answer(page: Page, base_url: str):
    email = new_email("known")
    sign_up_and_verify(page, base_url, name="Known Person", email=email)
    page.context.clear_cookies()
    log_in(page, email=email, password="not the right passphrase")
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    log_in(page, email=new_email("nobody"), password=PASSWORD)
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()


def test_five_failures_lock_the_email_and_say_when_to_retry(page: Page, base_url: str):
    email = new_email("locked")
    sign_up_and_verify(page, base_url, name="Locked Out", email=email)
    page.context.clear_cookies()
    for _ in range(5):
        log_in(page, email=email, password="not the right passphrase")
        expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    log_in(page, email=email, password=PASSWORD)
    expect(page.get_by_text("Too many attempts")).to_be_visible()
    expect(page.get_by_text("minute")).to_be_visible()


def test_after_logout_nothing_of_the_previous_account_reaches_the_next_one(page: Page, base_url: str):
    """Same tab, two people: the second never receives the first one's name or page state."""
    first_email, second_email = new_email("first"), new_email("second")
    sign_up_and_verify(page, base_url, name="Zora Firstperson", email=first_email)
    log_out(page)

    received: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(str(payload))))
    sign_up_and_verify(page, base_url, name="Yusuf Secondperson", email=second_email)
    page.reload()
    expect(page.get_by_role("heading", name="Welcome, Yusuf Secondperson")).to_be_visible()
    assert received, "no websocket frames were seen"
    assert not [frame for frame in received if "Zora" in frame or first_email in frame]
