"""Each page on a phone and a desktop: nothing overflows, and a screenshot is kept for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import (
    HOME,
    admin_log_in,
    create_account,
    create_owner,
    give_phone,
    log_in,
    new_email,
    open_switcher,
    sign_up,
    sign_up_and_verify,
)

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _no_horizontal_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_every_page_fits_the_screen(page: Page, base_url: str, screenshots_dir, size: str):
    page.set_viewport_size(VIEWPORTS[size])

    page.goto("/signup")
    expect(page.get_by_role("button", name="Sign up")).to_be_visible()
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshots_dir / f"signup-{size}.png", full_page=True)

    page.goto("/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshots_dir / f"login-{size}.png", full_page=True)

    email = new_email(f"screens-{size}")
    sign_up(page, name="Grace Hopper", email=email)
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshots_dir / f"verify-{size}.png", full_page=True)

    page.context.clear_cookies()
    sign_up_and_verify(page, base_url, name="Grace Hopper", email=new_email(f"home-{size}"))
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshots_dir / f"home-{size}.png", full_page=True)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_portal_shell_fits_the_screen(page: Page, base_url: str, screenshots_dir, size: str):
    page.set_viewport_size(VIEWPORTS[size])
    email = new_email(f"shell-{size}")
    give_phone(create_account(email, "Maria Fernanda Oliveira-Santos", apps=("courses", "communities", "affiliates")))
    log_in(page, email=email)
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Your apps")).to_be_visible()
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshots_dir / f"home-apps-{size}.png", full_page=True)

    open_switcher(page)
    switcher = page.locator("#app-switcher-button").bounding_box()
    assert switcher["x"] + switcher["width"] <= VIEWPORTS[size]["width"]
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshots_dir / f"switcher-open-{size}.png")
    page.keyboard.press("Escape")

    page.goto("/profile")
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshots_dir / f"profile-{size}.png", full_page=True)

    page.goto("/apps/courses")
    expect(page.get_by_role("heading", name="Membership Courses", exact=True)).to_be_visible()
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshots_dir / f"app-courses-{size}.png", full_page=True)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_admin_area_fits_the_screen(page: Page, base_url: str, screenshots_dir, size: str):
    page.set_viewport_size(VIEWPORTS[size])
    owner = new_email(f"owner-{size}")
    create_owner(owner)
    admin_log_in(page, base_url, owner)
    for path, name in (
        ("/admin", "dashboard"),
        ("/admin/contacts", "contacts"),
        ("/admin/settings", "settings"),
        ("/admin/audit", "audit"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _no_horizontal_overflow(page)
        page.screenshot(path=screenshots_dir / f"admin-{name}-{size}.png", full_page=True)
