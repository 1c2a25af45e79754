"""The business owner's area: staff sign-in, granting and revoking apps, and no way in for clients."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.support import (
    HOME,
    admin_log_in,
    create_account,
    create_owner,
    give_phone,
    log_in,
    new_email,
    switcher_titles,
)

ADMIN_PAGES = ["/admin", "/admin/contacts", "/admin/settings", "/admin/audit"]


def test_a_client_session_opens_no_admin_page(page: Page):
    email = new_email("nosy")
    create_account(email, "Nosy Client")
    log_in(page, email=email)
    page.wait_for_url(HOME)
    for path in ADMIN_PAGES:
        page.goto(path)
        page.wait_for_url(re.compile(r".*/admin/login/?$"))
        expect(page.get_by_role("heading", name="Admin sign-in")).to_be_visible()
        expect(page.get_by_text("Nosy Client")).to_have_count(0)


def test_the_owner_grants_an_app_the_client_sees_it_and_a_revoke_closes_it(page: Page, base_url: str, browser):
    owner_email = new_email("owner")
    create_owner(owner_email)
    client_email = new_email("granted")
    client_id = create_account(client_email, "Gia Granted")
    give_phone(client_id)

    client = browser.new_context(base_url=base_url).new_page()
    log_in(client, email=client_email)
    client.wait_for_url(HOME)
    assert switcher_titles(client) == ["Home"]

    admin_log_in(page, base_url, owner_email)
    page.goto("/admin/contacts")
    page.get_by_label("Search by name or email").fill(client_email)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Open Gia Granted").click()
    page.get_by_role("button", name="Grant Communities").click()
    expect(page.get_by_role("button", name="Revoke Communities")).to_be_visible()

    client.reload()
    assert switcher_titles(client) == ["Home", "Communities"]
    client.goto("/apps/communities")
    expect(client.get_by_role("heading", name="Communities", exact=True)).to_be_visible()

    page.get_by_role("button", name="Revoke Communities").click()
    expect(page.get_by_role("button", name="Grant Communities")).to_be_visible()
    client.reload()
    expect(client.get_by_role("heading", name="You do not have access to Communities")).to_be_visible()

    page.goto("/admin/audit")
    expect(page.get_by_text(re.compile("grant", re.IGNORECASE)).first).to_be_visible()
    client.context.close()
