"""Changing the email from a signed-in browser: the current password first (refused without it, next to the
field), then the code sent to the new address; the old address's "This wasn't me" link opens a page whose
button moves the account back and signs out every session, and the email that follows gets the person in."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.support import (
    HOME,
    LOGIN,
    PASSWORD,
    accounts_with_email,
    code_in,
    link_in,
    log_in,
    new_email,
    sessions_of,
    sign_up_and_verify,
    wait_for_email,
)

SHOTS = Path("/tmp/h3-shots")


def _undo_link(message: dict) -> str:
    match = re.search(r"(https?://\S+/profile/undo-email\?token=[\w%-]+)", message["text_body"])
    assert match, message["text_body"]
    return match.group(1)


def _shoot(page: Page, screenshots_dir: Path, name: str) -> None:
    """The step on a desktop and on a phone, for people to look at (test-artifacts and /tmp/h3-shots)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(viewport)
        path = screenshots_dir / f"{name}-{size}.png"
        page.locator("#email-change").scroll_into_view_if_needed()
        page.screenshot(path=path, full_page=True)
        shutil.copy(path, SHOTS / path.name)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_email_changes_only_with_the_password_and_the_old_address_can_undo_it(
    page: Page, base_url: str, browser, screenshots_dir: Path
):
    old, new = new_email("owner"), new_email("moved")
    sign_up_and_verify(page, base_url, name="Olive Owner", email=old)
    [account] = accounts_with_email(old)
    # A second browser signed in to the same account: the undo must sign it out too.
    other = browser.new_context(base_url=base_url)
    other_page = other.new_page()
    log_in(other_page, email=old)
    other_page.wait_for_url(HOME)
    assert len(sessions_of(account.id)) == 2

    page.goto("/profile")
    page.get_by_label("Email", exact=True).fill(new)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    password = page.get_by_label("Current password")
    expect(password).to_be_focused()  # keyboard users land on the field
    _shoot(page, screenshots_dir, "email-change-password-step")

    # Without the password: refused, the message next to the field, nothing sent to the new address.
    page.get_by_role("button", name="Continue").click()
    error = page.locator("#current_password-error")
    expect(error).to_have_text("Enter your current password to change your email.")
    expect(password).to_have_attribute("aria-invalid", "true")
    password.fill("not the password at all")
    password.press("Enter")
    expect(error).to_have_text("That is not your current password.")
    assert accounts_with_email(old) and not accounts_with_email(new)

    # With it: a code goes to the new address, and entering it changes the email.
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("Current password").press("Enter")
    expect(page.get_by_role("heading", name="Confirm your new email")).to_be_visible()
    _shoot(page, screenshots_dir, "email-change-code-step")
    page.get_by_label("Code", exact=True).fill(code_in(wait_for_email(base_url, new)))
    page.get_by_role("button", name="Confirm email").click()
    expect(page.get_by_text(f"Your email is now {new}.")).to_be_visible()
    assert [a.id for a in accounts_with_email(new)] == [account.id]

    # The old address is told, with a link; opening it (as a mail scanner would) changes nothing.
    notice = wait_for_email(base_url, old, count=2)
    assert notice["subject"].endswith("account was changed")
    link = _undo_link(notice)
    assert link.startswith(base_url)
    mail_client = browser.new_context(base_url=base_url)
    undo_page = mail_client.new_page()
    undo_page.goto(link)
    undo_button = undo_page.get_by_role("button", name="Undo the change")
    expect(undo_button).to_be_visible()
    expect(undo_page.get_by_text(f"was changed from {old} to {new}")).to_be_visible()
    assert [a.id for a in accounts_with_email(new)] == [account.id] and len(sessions_of(account.id)) == 2
    undo_page.screenshot(path=screenshots_dir / "email-change-undo.png", full_page=True)
    shutil.copy(screenshots_dir / "email-change-undo.png", SHOTS / "email-change-undo.png")

    # The button moves the account back and signs out every session.
    undo_button.focus()
    undo_page.keyboard.press("Enter")
    expect(undo_page.get_by_text(f"Your account's email is {old} again")).to_be_visible()
    assert [a.id for a in accounts_with_email(old)] == [account.id]
    assert accounts_with_email(old)[0].password_hash is None
    assert sessions_of(account.id) == []
    for signed_out in (page, other_page):
        signed_out.goto("/profile")
        signed_out.wait_for_url(LOGIN)

    # The link works once.
    undo_page.goto(link)
    expect(undo_page.get_by_text("This link was already used")).to_be_visible()
    expect(undo_page.get_by_role("button", name="Undo the change")).to_have_count(0)

    # The password whoever moved the account may know no longer works; the emailed link gets the person in.
    log_in(page, email=old)
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    way_back = wait_for_email(base_url, old, count=3)
    assert "back to" in way_back["subject"]
    magic = link_in(way_back)
    assert magic
    page.goto(magic)
    page.get_by_role("button", name=re.compile(r"^Continue")).click()
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Olive Owner")).to_be_visible()
    mail_client.close()
    other.close()
