"""axe-core finds no accessibility violation on the portal's pages (and the open menus)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.support import (
    admin_log_in,
    create_account,
    create_owner,
    give_phone,
    log_in,
    new_email,
    open_account_menu,
    open_switcher,
    sign_up,
)

AXE = Axe()


# Radix renders an open menu in a portal at the end of <body>, outside the page's landmarks. axe's
# "region" rule (a best practice, not a WCAG criterion) flags any such popup; everything else,
# including every WCAG A/AA rule, is checked on the open menus too.
MENU_OPEN = {"resultTypes": ["violations"], "rules": {"region": {"enabled": False}}}


def assert_no_violations(page: Page, what: str, options: dict | None = None) -> None:
    results = AXE.run(page, options=options) if options else AXE.run(page)
    violations = results.response["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[(n['target'], n['html'][:120], n.get('failureSummary', '')[:200]) for n in v['nodes']][:5]}"
        for v in violations
    ]
    assert not violations, f"{what}: " + "\n".join(details)


@pytest.mark.parametrize("path,ready", [("/signup", "Sign up"), ("/login", "Log in")])
def test_public_pages(page: Page, path: str, ready: str):
    page.goto(path)
    expect(page.get_by_role("button", name=ready)).to_be_visible()
    assert_no_violations(page, path)


def test_verify_page(page: Page):
    sign_up(page, name="Axe Verify", email=new_email("axe-verify"))
    assert_no_violations(page, "/verify")


def test_signed_in_pages_and_menus(page: Page):
    email = new_email("axe")
    give_phone(create_account(email, "Axe Person", apps=("courses",)))
    log_in(page, email=email)
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", name="Welcome, Axe Person")).to_be_visible()
    assert_no_violations(page, "home")
    open_account_menu(page)
    expect(page.get_by_role("menuitem", name="Log out")).to_be_visible()
    assert_no_violations(page, "home with the account menu open", MENU_OPEN)
    page.keyboard.press("Escape")
    page.goto("/security")
    expect(page.get_by_role("button", name="Save password")).to_be_visible()
    assert_no_violations(page, "/security")
    page.goto("/profile")
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    assert_no_violations(page, "/profile")
    page.goto("/apps/courses")
    expect(page.get_by_role("heading", name="Membership Courses", exact=True)).to_be_visible()
    assert_no_violations(page, "/apps/courses")
    open_switcher(page)
    assert_no_violations(page, "/apps/courses with the app switcher open", MENU_OPEN)


def test_admin_pages(page: Page, base_url: str):
    page.goto("/admin/login")
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert_no_violations(page, "/admin/login")
    owner = new_email("axe-owner")
    create_owner(owner)
    admin_log_in(page, base_url, owner)
    for path, ready in (
        ("/admin", "Dashboard"),
        ("/admin/contacts", "Contacts"),
        ("/admin/settings", "Business settings"),
        ("/admin/audit", "Audit log"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", name=ready, exact=True)).to_be_visible()
        assert_no_violations(page, path)
