"""Signup and email verification, as a person does them in the browser."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.e2e.support import (
    HOME,
    PASSWORD,
    VERIFY,
    accounts_with_email,
    age_sends_to,
    code_in,
    enter_code,
    expire_codes_for,
    fill_signup,
    log_in,
    log_out,
    mailbox,
    new_email,
    sign_up,
    sign_up_and_verify,
    wait_for_email,
)


def test_signup_verify_logout_and_log_back_in(page: Page, base_url: str):
    email = new_email("ada")
    sign_up(page, name="Ada Lovelace", email=email)
    expect(page.locator("#verify-instructions")).to_have_text(
        f"We sent a 6-digit code to {email}. Check your spam or junk folder too. The code expires in 15 minutes."
    )
    message = wait_for_email(base_url, email)
    assert "verification code" in message["subject"]
    enter_code(page, code_in(message))
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Ada Lovelace")).to_be_visible()
    assert [a.email_verified_at is not None for a in accounts_with_email(email)] == [True]

    log_out(page)
    page.goto("/")
    page.wait_for_url("**/login?next=/")

    log_in(page, email=email)
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Ada Lovelace")).to_be_visible()


def test_bad_signup_input_is_explained_next_to_each_field_and_nothing_is_stored(page: Page, base_url: str):
    email = new_email("bad")
    fill_signup(page, name="   ", email="not-an-email", password="short")
    expect(page.locator("#full_name-error")).not_to_be_empty()
    expect(page.locator("#email-error")).not_to_be_empty()
    expect(page.locator("#password-error")).to_contain_text("10 characters")

    fill_signup(page, name="Bea", email=email, password="qwertyuiop")
    expect(page.locator("#password-error")).to_contain_text("too common")
    local_part = email.split("@")[0]
    fill_signup(page, name="Bea", email=email, password=f"x-{local_part}-x")
    expect(page.locator("#password-error")).to_contain_text("email")
    assert page.url.endswith("/signup") or page.url.endswith("/signup/")
    assert mailbox(base_url, email) == []
    assert accounts_with_email(email) == []


def test_right_to_left_and_emoji_names_are_welcome(page: Page, base_url: str):
    name = "سارة 🌷 Levi"
    sign_up_and_verify(page, base_url, name=name, email=new_email("rtl"))


def test_five_wrong_codes_kill_the_code(page: Page, base_url: str):
    email = new_email("wrong")
    sign_up(page, name="Wrong Code", email=email)
    right = code_in(wait_for_email(base_url, email))
    wrong = "000000" if right != "000000" else "111111"
    error = page.locator("#code-error")
    for attempts_left in (4, 3, 2, 1):
        enter_code(page, wrong)
        expect(error).to_contain_text(f"{attempts_left} attempt")
    enter_code(page, wrong)
    expect(error).to_contain_text("Request a new code")
    enter_code(page, right)
    expect(error).to_contain_text("Request a new code")
    assert accounts_with_email(email) == []


def test_resend_waits_a_minute_and_the_new_code_replaces_the_old(page: Page, base_url: str):
    email = new_email("resend")
    sign_up(page, name="Re Send", email=email)
    first = code_in(wait_for_email(base_url, email))
    resend = page.get_by_role("button", name="Resend code")
    expect(resend).to_be_disabled()
    expect(resend).to_contain_text(" s")

    # A minute passes (the server's clock is the judge, so the send record is moved back).
    age_sends_to(email, by=timedelta(seconds=61))
    page.reload()
    expect(resend).to_be_enabled()
    expect(resend).to_have_text("Resend code")
    resend.click()
    expect(page.get_by_text("We sent a new code")).to_be_visible()
    expect(resend).to_be_disabled()
    second = code_in(wait_for_email(base_url, email, count=2))

    if second != first:
        enter_code(page, first)
        expect(page.locator("#code-error")).not_to_be_empty()
    enter_code(page, second)
    page.wait_for_url(HOME)


def test_an_expired_code_says_so(page: Page, base_url: str):
    email = new_email("late")
    sign_up(page, name="Late Comer", email=email)
    code = code_in(wait_for_email(base_url, email))
    expire_codes_for(email)
    enter_code(page, code)
    expect(page.locator("#code-error")).to_contain_text("expired")
    assert accounts_with_email(email) == []


def test_verify_survives_a_reload_and_a_new_tab(page: Page, base_url: str):
    email = new_email("tabs")
    sign_up(page, name="Tab Hopper", email=email)
    page.reload()
    expect(page.get_by_text(email)).to_be_visible()
    other_tab = page.context.new_page()
    other_tab.goto("/verify")
    expect(other_tab.get_by_text(email)).to_be_visible()
    enter_code(other_tab, code_in(wait_for_email(base_url, email)))
    other_tab.wait_for_url(HOME)
    expect(other_tab.get_by_role("heading", name="Welcome, Tab Hopper")).to_be_visible()


def test_existing_email_gets_a_login_code_and_no_second_account(page: Page, base_url: str, browser):
    email = new_email("twice")
    sign_up_and_verify(page, base_url, name="First Owner", email=email)
    log_out(page)

    # A minute later someone signs up again with the same email: the screen looks like any signup.
    age_sends_to(email, by=timedelta(seconds=61))
    stranger = browser.new_context(base_url=base_url).new_page()
    sign_up(stranger, name="Second Try", email=email, password="another fine passphrase")
    expect(stranger.locator("#verify-instructions")).to_have_text(
        f"We sent a 6-digit code to {email}. Check your spam or junk folder too. The code expires in 15 minutes."
    )
    message = wait_for_email(base_url, email, count=2)
    assert "already have an account" in message["text_body"]
    assert "login code" in message["subject"]

    enter_code(stranger, code_in(message))
    stranger.wait_for_url(HOME)
    expect(stranger.get_by_role("heading", name="Welcome, First Owner")).to_be_visible()
    assert len(accounts_with_email(email)) == 1

    # The signup's password was discarded: the original one still works, the new one does not.
    log_in(page, email=email, password="another fine passphrase")
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    log_in(page, email=email, password=PASSWORD)
    page.wait_for_url(HOME)
    stranger.context.close()


def test_with_duplicates_allowed_each_signup_is_its_own_account(page: Page, base_url: str, browser, duplicates_allowed):
    email = new_email("shared")
    sign_up_and_verify(page, base_url, name="Household One", email=email)
    age_sends_to(email, by=timedelta(seconds=61))
    other = browser.new_context(base_url=base_url).new_page()
    sign_up(other, name="Household Two", email=email, password="another fine passphrase")
    message = wait_for_email(base_url, email, count=2)
    assert "already have an account" not in message["text_body"]
    enter_code(other, code_in(message))
    other.wait_for_url(HOME)
    expect(other.get_by_role("heading", name="Welcome, Household Two")).to_be_visible()
    assert [a.full_name for a in accounts_with_email(email)] == ["Household One", "Household Two"]
    other.context.close()


def test_verify_without_a_pending_signup_points_to_signup(page: Page):
    page.goto("/verify")
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()
    assert VERIFY.match(page.url)


def test_resend_opens_when_the_browsers_countdown_ends(page: Page, base_url: str):
    """The countdown runs in the browser (no server loop): moving only the browser's clock opens "Resend
    code" and says so politely; the server still judges, and refuses a code asked for too soon."""
    page.clock.install()
    sign_up(page, name="Tick Tock", email=new_email("tick"))
    resend = page.get_by_role("button", name="Resend code")
    expect(resend).to_be_disabled()
    page.clock.run_for(61_000)
    expect(resend).to_be_enabled()
    expect(resend).to_have_text("Resend code")
    expect(page.locator("#resend-status")).to_have_text("You can ask for a new code now.")
    resend.click()
    expect(page.get_by_text("You can ask for a new code in")).to_be_visible()
