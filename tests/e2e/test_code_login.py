"""Passwordless login: an emailed code, a magic link, and accounts made by the business."""

from __future__ import annotations

import os
import re
import subprocess
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.accounts.models import EmailCode
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.kernel.settings import PROJECT_DIR
from tests.e2e.support import (
    HOME,
    age_sends_to,
    code_in,
    create_account,
    link_in,
    log_in_with_code,
    mailbox,
    new_email,
    request_code,
    sessions_of,
    wait_for_email,
)


def _set_magic_links(enabled: bool) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.magic_links_enabled = enabled
        session.add(business)


def test_log_in_with_an_emailed_code(page: Page, base_url: str):
    email = new_email("coder")
    account_id = create_account(email, "Cody Coder")
    log_in_with_code(page, base_url, email)
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Cody Coder")).to_be_visible()
    assert [s.auth_method for s in sessions_of(account_id)] == ["code"]


def test_an_unknown_email_gets_the_same_answer_and_no_email(page: Page, base_url: str):
    email = new_email("ghost")
    request_code(page, email)
    expect(page.get_by_label("Code")).to_be_visible()
    assert mailbox(base_url, email) == []


def test_a_wrong_code_says_how_many_tries_are_left(page: Page, base_url: str):
    email = new_email("typo")
    create_account(email, "Tim Typo")
    request_code(page, email)
    right = code_in(wait_for_email(base_url, email))
    page.get_by_label("Code").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#code-error")).to_contain_text("4 attempts left")


def test_a_magic_link_survives_a_mail_scanner_and_signs_in_the_browser_that_clicks(page: Page, base_url: str, browser):
    email = new_email("magic")
    create_account(email, "Mia Magic")
    request_code(page, email)
    link = link_in(wait_for_email(base_url, email))
    assert link is not None and link.startswith(base_url + "/magic?token=")

    # A mail scanner fetches the link (and even renders it): nothing is used up, nobody signed in.
    with urllib.request.urlopen(link, timeout=10) as response:
        assert response.status == 200
    scanner = browser.new_context().new_page()
    scanner.goto(link)
    expect(scanner.get_by_role("button", name="Continue")).to_be_visible()
    scanner.context.close()
    with db.read_session() as session:
        assert all(code.used_at is None for code in session.exec(select(EmailCode).where(EmailCode.email == email)))

    # The person clicks in another browser than the one that asked: that browser is signed in.
    clicker = browser.new_context(base_url=base_url).new_page()
    clicker.goto(link)
    clicker.get_by_role("button", name="Continue").click()
    clicker.wait_for_url(HOME)
    expect(clicker.get_by_role("heading", name="Welcome, Mia Magic")).to_be_visible()

    # Used once: the link now says so and offers a new one.
    again = browser.new_context(base_url=base_url).new_page()
    again.goto(link)
    expect(again.get_by_text("already used")).to_be_visible()
    age_sends_to(email, by=timedelta(seconds=61))
    again.get_by_role("button", name="Send a new link").click()
    expect(again.get_by_text("we sent a new email")).to_be_visible()
    assert link_in(wait_for_email(base_url, email, count=2)) not in (None, link)
    clicker.context.close()
    again.context.close()


def test_without_magic_links_the_email_carries_only_the_code(page: Page, base_url: str):
    email = new_email("nolink")
    create_account(email, "Nora Nolink")
    _set_magic_links(False)
    try:
        request_code(page, email)
        message = wait_for_email(base_url, email)
    finally:
        _set_magic_links(True)
    assert code_in(message)
    assert link_in(message) is None


def test_an_invited_account_logs_in_by_code_at_once(page: Page, base_url: str):
    email = new_email("invitee")
    result = subprocess.run(
        [str(PROJECT_DIR / ".venv" / "bin" / "portal"), "invite", email, "--name", "Ivy Invitee", "--app", "courses"],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    invitation = wait_for_email(base_url, email)
    assert "Membership Courses" in invitation["text_body"]

    # Typed by hand, the code form for the email takes no code: only a browser that asked for one, or
    # opened the invitation's own link, may enter it (probing an invited email tells and spends nothing).
    page.goto(f"/login?method=code&email={email}")
    page.get_by_label("Code").fill(code_in(invitation))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Ask for a code first")).to_be_visible()
    # The invitation's "enter your code" link opens the code form for that email, in this browser.
    entry = urlsplit(re.search(r"https?://\S+/login\?\S+", invitation["text_body"]).group(0))
    page.goto(f"{entry.path}?{entry.query}")
    page.get_by_label("Code").fill(code_in(invitation))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Ivy Invitee")).to_be_visible()
