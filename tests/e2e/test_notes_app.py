"""The SDK as people meet it, through Notes: live updates across tabs, an email through notify that honours
the profile, a download route, the owner's Notes page and its generated settings page, and the demo accounts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import delete

from portal_app.apps.models import AppSettingValue
from portal_app.kernel import db
from portal_app.kernel.settings import PROJECT_DIR
from tests.e2e.support import (
    HOME,
    admin_log_in,
    create_account,
    create_owner,
    give_phone,
    log_in,
    mailbox,
    new_email,
    set_business,
    wait_for_email,
)

NOTES_URL = re.compile(r".*/apps/notes/?$")


@pytest.fixture
def notes_on(portal_url):
    old = set_business(enabled_apps=["courses", "communities", "affiliates", "notes"])
    yield
    set_business(**old)
    with db.write_session() as session:
        session.exec(delete(AppSettingValue))


def _notes_user(page: Page, name: str) -> str:
    email = new_email(name.split()[0].lower())
    give_phone(create_account(email, name, apps=("notes",)))
    log_in(page, email=email)
    page.wait_for_url(HOME)
    return email


def _add_note(page: Page, text: str) -> None:
    page.get_by_label("New note").fill(text)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note saved.")).to_be_visible()


def test_a_note_added_in_one_tab_appears_in_the_other_without_a_reload(page: Page, notes_on):
    _notes_user(page, "Lia Live")
    page.goto("/apps/notes")
    other = page.context.new_page()
    other.goto("/apps/notes")
    expect(other.get_by_text("No notes yet. Write your first one above.")).to_be_visible()
    _add_note(page, "Water the ferns")
    # The other tab was not touched: the live channel refreshed it.
    expect(other.get_by_text("Water the ferns")).to_be_visible(timeout=5000)
    other.get_by_role("listitem").filter(has_text="Water the ferns").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Water the ferns")).to_have_count(0, timeout=5000)
    other.close()


def test_a_note_has_its_own_page_and_another_persons_note_id_shows_nothing(page: Page, notes_on):
    _notes_user(page, "Pia Page")
    page.goto("/apps/notes")
    _add_note(page, "Call the plumber")
    page.get_by_role("link", name=re.compile(r"^Open the note of ")).first.click()
    page.wait_for_url(re.compile(r".*/apps/notes/[0-9]+/?$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Note of "))).to_be_visible()
    expect(page.get_by_text("Call the plumber")).to_be_visible()
    page.goto("/apps/notes/999999")
    expect(page.get_by_role("heading", name="That note does not exist")).to_be_visible()
    page.get_by_role("link", name="All notes").click()
    page.wait_for_url(NOTES_URL)


def test_email_me_this_note_sends_it_unless_notes_emails_are_switched_off(page: Page, base_url, notes_on):
    email = _notes_user(page, "Ema Mail")
    page.goto("/apps/notes")
    _add_note(page, "Gate code 4471")
    page.get_by_role("button", name="Email me this note").click()
    expect(page.get_by_text("The note is on its way to your email.")).to_be_visible()
    message = wait_for_email(base_url, email)
    assert message["subject"].startswith("Your note from ")
    assert "Gate code 4471" in message["text_body"]
    # Switch Notes emails off on the profile: the next request sends nothing.
    page.goto("/profile")
    page.get_by_role("checkbox", name="Notes").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()
    page.goto("/apps/notes")
    page.get_by_role("button", name="Email me this note").click()
    expect(page.get_by_text("Emails from Notes are switched off in your profile, so nothing was sent.")).to_be_visible()
    page.wait_for_timeout(1500)
    assert len(mailbox(base_url, email)) == 1


def test_download_my_notes_gives_a_text_file_of_mine_only(page: Page, notes_on):
    _notes_user(page, "Dee Download")
    page.goto("/apps/notes")
    _add_note(page, "Pack the blue folder")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my notes (.txt)").click()
    saved = download.value
    assert saved.suggested_filename == "notes.txt"
    assert "Pack the blue folder" in open(saved.path(), encoding="utf-8").read()
    # Signed out, the route refuses.
    anonymous = page.context.browser.new_context()
    response = anonymous.request.get(page.url.split("/apps/")[0] + "/api/apps/notes/download")
    assert response.status == 403 and "Pack the blue folder" not in response.text()
    anonymous.close()


def test_the_owner_sets_the_notes_cap_on_the_generated_settings_page(page: Page, base_url, notes_on):
    owner = new_email("owner")
    create_owner(owner)
    admin_log_in(page, base_url, owner)
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Notes").click()
    page.wait_for_url(re.compile(r".*/admin/apps/notes/?$"))
    expect(page.get_by_text("Notes kept")).to_be_visible()
    page.get_by_role("link", name="Notes settings").click()
    page.wait_for_url(re.compile(r".*/admin/apps/notes/settings/?$"))
    field = page.get_by_label("Most notes one person may keep")
    expect(field).to_have_value("100")
    field.fill("0")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Enter a whole number from 1 to 10000.")).to_be_visible()
    expect(page.get_by_text("Nothing was saved. Correct the fields marked below.")).to_be_visible()
    page.get_by_label("Most notes one person may keep").fill("1")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    page.goto("/admin/audit")
    expect(page.get_by_text("app notes").first).to_be_visible()

    client = page.context.browser.new_context(base_url=base_url).new_page()
    _notes_user(client, "Cap Client")
    client.goto("/apps/notes")
    _add_note(client, "The only one")
    client.get_by_label("New note").fill("One too many")
    client.get_by_role("button", name="Add note").click()
    expect(client.get_by_text("You already keep 1 notes, the most this portal allows.", exact=False)).to_be_visible()
    client.context.close()


def _demo_password() -> str:
    log = (PROJECT_DIR / "test-artifacts" / "e2e-server.log").read_text()
    return re.search(r"Demo login: dana@demo\.example / (\S+)", log).group(1)


def _demo_log_in(page: Page, account_name: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill("dana@demo.example")
    page.get_by_label("Password").fill(_demo_password())
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/accounts"))
    page.get_by_role("button", name=f"Continue as {account_name}", exact=True).click()
    page.wait_for_url(HOME)


def test_the_main_demo_account_opens_its_apps_and_the_second_meets_the_profile_gate(page: Page, browser):
    _demo_log_in(page, "Dana Demo")
    page.goto("/apps/courses")
    expect(page.get_by_role("heading", name="Membership Courses", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r".*/apps/courses/?$"))

    second = browser.new_context(base_url=page.url.split("/apps/")[0]).new_page()
    _demo_log_in(second, "Dana Demo (second account)")
    second.goto("/apps/affiliates")
    second.wait_for_url(re.compile(r".*/profile/?\?needed_for=affiliates$"))
    expect(second.get_by_role("heading", name="Complete your profile to open Affiliate Manager")).to_be_visible()
    second.context.close()
