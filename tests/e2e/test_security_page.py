"""/security in the browser: the browsers signed in to the account (this one marked), signing another one out,
the security log, and "Download my data" from the request to the emailed link's zip. Screenshots on desktop
and phone."""

from __future__ import annotations

import io
import json
import re
import zipfile

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import HOME, LOGIN, create_account, log_in, new_email, wait_for_email

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def signed_in_page(browser: Browser, base_url: str, email: str) -> Page:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    log_in(page, email=email)
    page.wait_for_url(HOME)
    return page


def test_another_browser_is_listed_and_signed_out_from_here(browser: Browser, base_url: str, screenshots_dir):
    email = new_email("sec")
    create_account(email, "Sam Secure")
    laptop = signed_in_page(browser, base_url, email)
    phone = signed_in_page(browser, base_url, email)
    laptop.goto("/security")
    browsers = laptop.get_by_role("heading", name="Where you're signed in").locator("xpath=..")
    expect(browsers.get_by_text("This browser")).to_have_count(1)
    others = laptop.get_by_role("button", name=re.compile(r"^Sign out (?!everywhere else).+"))
    expect(others).to_have_count(1)
    log = laptop.get_by_role("table", name="Security activity")
    expect(log.get_by_role("row").filter(has_text="Signed in")).to_have_count(2)
    for size, viewport in VIEWPORTS.items():
        laptop.set_viewport_size(viewport)
        # Nothing wider than the screen (a phone gets the log as a list).
        assert laptop.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        laptop.screenshot(path=screenshots_dir / f"security-page-{size}.png", full_page=True)
    laptop.set_viewport_size(VIEWPORTS["desktop"])
    others.focus()
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_role("status").filter(has_text="That browser is signed out.")).to_be_visible()
    expect(log.get_by_role("row").filter(has_text="A session was signed out")).to_have_count(1)
    phone.goto("/security")
    phone.wait_for_url(LOGIN)
    laptop.context.close()
    phone.context.close()


def test_download_my_data_arrives_by_email_and_opens_only_signed_in(browser: Browser, base_url: str):
    email = new_email("data")
    create_account(email, "Dora Data")
    page = signed_in_page(browser, base_url, email)
    page.goto("/security")
    page.get_by_role("button", name="Download my data").click()
    expect(page.get_by_text("We are preparing your download and will email you a link")).to_be_visible()
    message = wait_for_email(base_url, email, timeout=60)
    assert message["subject"].endswith("data is ready to download")
    # The link names the configured public address; the test server listens elsewhere: keep path and query.
    link = re.search(r"/my-data/download\?t=[\w-]+", message["text_body"]).group(0)
    answer = page.request.get(link)
    assert answer.status == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.body()))
    assert json.loads(archive.read("data.json"))["account"]["email"] == email
    # Someone else with the link (no session) is sent to sign in, and gets nothing.
    stranger = browser.new_context(base_url=base_url)
    refused = stranger.request.get(link, max_redirects=0)
    assert refused.status == 303 and "/login" in refused.headers["location"]
    stranger.close()
    page.context.close()


def test_delete_my_account_with_the_emailed_code(browser: Browser, base_url: str):
    email = new_email("gone")
    create_account(email, "Gail Gone")
    page = signed_in_page(browser, base_url, email)
    page.goto("/security")
    card = page.get_by_role("heading", name="Delete my account").locator("xpath=..")
    expect(card.get_by_text("The business keeps:")).to_be_visible()
    page.get_by_role("button", name="Email me a code to delete my account").click()
    message = wait_for_email(base_url, email)
    assert message["subject"].startswith(tuple("0123456789"))
    page.get_by_label("Code to delete my account").fill("000000")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Code to delete my account").fill(message["subject"][:6])
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(LOGIN)
    expect(page.get_by_text("Your account was deleted")).to_be_visible()
    # The password no longer signs anyone in.
    log_in(page, email=email)
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    page.context.close()
