"""Several accounts on one email: the chooser, remembering the choice, switching, and passwords."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.e2e.support import (
    HOME,
    PASSWORD,
    age_sends_to,
    code_in,
    create_account,
    log_in,
    log_in_with_code,
    log_out,
    new_email,
    open_account_menu,
    sessions_of,
    wait_for_email,
)

CHOOSER = "**/accounts**"


def _three_accounts(email: str) -> dict[str, int]:
    return {
        "Alex Ash": create_account(email, "Alex Ash", apps=("courses",)),
        "Alex Birch": create_account(email, "Alex Birch", apps=("communities", "affiliates")),
        "Alex Cedar": create_account(email, "Alex Cedar", password="a different passphrase"),
    }


def _continue_as(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"Continue as {name}").click()
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()


def test_a_code_login_lists_every_account_and_remembers_the_choice(page: Page, base_url: str):
    email = new_email("family")
    _three_accounts(email)
    log_in_with_code(page, base_url, email)
    page.wait_for_url(CHOOSER)
    for name in ("Alex Ash", "Alex Birch", "Alex Cedar"):
        expect(page.get_by_text(name, exact=True)).to_be_visible()
    expect(page.get_by_text("Communities, Affiliate Manager")).to_be_visible()
    remember = page.get_by_label("Remember my choice")
    remember.click()
    expect(remember).to_be_checked()
    _continue_as(page, "Alex Birch")

    log_out(page)
    age_sends_to(email, by=timedelta(seconds=61))
    log_in_with_code(page, base_url, email, count=2)
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Alex Birch")).to_be_visible()


def test_switching_accounts_from_the_top_bar_and_back(page: Page, base_url: str):
    email = new_email("switch")
    ids = _three_accounts(email)
    log_in_with_code(page, base_url, email)
    page.wait_for_url(CHOOSER)
    _continue_as(page, "Alex Ash")
    first_sessions = sessions_of(ids["Alex Ash"])

    open_account_menu(page)
    expect(page.get_by_role("menuitem", name="Switch to Alex Ash")).to_have_count(0)
    page.get_by_role("menuitem", name="Switch to Alex Cedar").click()
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Alex Cedar")).to_be_visible()
    assert sessions_of(ids["Alex Ash"]) == [] and len(first_sessions) == 1
    assert len(sessions_of(ids["Alex Cedar"])) == 1

    open_account_menu(page)
    page.get_by_role("menuitem", name="Switch to Alex Ash").click()
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Alex Ash")).to_be_visible()
    expect(page.get_by_text("Alex Cedar")).to_have_count(0)


def test_a_password_login_offers_only_the_accounts_whose_password_matched(page: Page, base_url: str):
    email = new_email("pw-shared")
    _three_accounts(email)
    log_in(page, email=email, password=PASSWORD)
    page.wait_for_url(CHOOSER)
    expect(page.get_by_role("button", name="Continue as Alex Ash")).to_be_visible()
    expect(page.get_by_role("button", name="Continue as Alex Birch")).to_be_visible()
    expect(page.get_by_text("Alex Cedar")).to_have_count(0)
    _continue_as(page, "Alex Ash")
    open_account_menu(page)
    expect(page.get_by_role("menuitem", name="Switch to Alex Birch")).to_be_visible()
    expect(page.get_by_text("Alex Cedar")).to_have_count(0)
    page.keyboard.press("Escape")

    page.context.clear_cookies()
    log_in(page, email=email, password="a different passphrase")
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Alex Cedar")).to_be_visible()


def test_forgotten_password_is_replaced_after_a_code_login(page: Page, base_url: str, browser):
    email = new_email("forgetful")
    account_id = create_account(email, "Fay Forgetful")
    elsewhere = browser.new_context(base_url=base_url).new_page()
    log_in(elsewhere, email=email)
    elsewhere.wait_for_url(HOME)

    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("button", name="Send code")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send code").click()
    page.get_by_label("Code").fill(code_in(wait_for_email(base_url, email)))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/security/?$"))
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_count(0)
    page.get_by_label("New password").fill("a brand new passphrase")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Your password was saved")).to_be_visible()
    notice = wait_for_email(base_url, email, count=2)
    assert "password" in notice["subject"].lower()

    # The other browser was signed out; the old password fails, the new one works.
    elsewhere.reload()
    elsewhere.wait_for_url("**/login**")
    assert len(sessions_of(account_id)) == 1
    page.context.clear_cookies()
    log_in(page, email=email, password=PASSWORD)
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    log_in(page, email=email, password="a brand new passphrase")
    page.wait_for_url(HOME)
    elsewhere.context.close()


def test_the_security_page_asks_for_the_current_password_after_a_password_login(page: Page, base_url: str):
    email = new_email("careful")
    create_account(email, "Cal Careful")
    log_in(page, email=email)
    page.wait_for_url(HOME)
    page.goto("/security")
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    page.get_by_label("Current password").fill("not my password at all")
    page.get_by_label("New password").fill("another brand new passphrase")
    page.get_by_role("button", name="Save password").click()
    expect(page.locator("#current_password-error")).to_contain_text("not right")
