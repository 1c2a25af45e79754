"""axe-core finds no accessibility violation on the portal's pages (and the open menus)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.support import create_account, log_in, new_email, open_account_menu, sign_up

AXE = Axe()


def assert_no_violations(page: Page, what: str) -> None:
    results = AXE.run(page)
    violations = results.response["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in violations
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
    create_account(email, "Axe Person")
    log_in(page, email=email)
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", name="Welcome, Axe Person")).to_be_visible()
    assert_no_violations(page, "home")
    open_account_menu(page)
    expect(page.get_by_role("menuitem", name="Log out")).to_be_visible()
    assert_no_violations(page, "home with the account menu open")
    page.keyboard.press("Escape")
    page.goto("/security")
    expect(page.get_by_role("button", name="Save password")).to_be_visible()
    assert_no_violations(page, "/security")
