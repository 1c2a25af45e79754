"""A page opened at another address than PORTAL_PUBLIC_URL: the websocket refuses its origin, and the page
says where to go and what the person running the portal sets (not only Reflex's "cannot connect")."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_a_page_opened_at_127_0_0_1_says_to_open_the_public_address(page: Page, portal_url, screenshots_dir):
    other = portal_url.replace("localhost", "127.0.0.1")
    assert other != portal_url
    page.goto(f"{other}/login")
    notice = page.locator("#wrong-address")
    expect(notice).to_be_visible(timeout=20_000)
    expect(notice).to_contain_text(f"This page is open at {other}")
    expect(notice).to_contain_text(f"the portal only answers pages opened at {portal_url}")
    expect(notice).to_contain_text("Set PORTAL_PUBLIC_URL to the address people open")
    expect(notice.get_by_role("link", name=f"Go to {portal_url}")).to_have_attribute("href", portal_url)
    for size, viewport in (("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(viewport)
        page.screenshot(path=screenshots_dir / f"wrong-address-{size}.png")


def test_the_notice_stays_away_at_the_public_address(page: Page, portal_url):
    page.goto(f"{portal_url}/login")
    expect(page.get_by_label("Email")).to_be_editable()
    page.wait_for_timeout(1500)
    expect(page.locator("#wrong-address")).to_have_count(0)
