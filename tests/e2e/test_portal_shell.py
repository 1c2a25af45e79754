"""The portal around the child apps: profile gate, app switcher, timeline, the example plug-in."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from portal_app.kernel import clock, db
from portal_app.timeline import service as activity
from tests.e2e.support import (
    HOME,
    create_account,
    give_phone,
    log_in,
    new_email,
    open_switcher,
    set_business,
    switcher_titles,
)

APP_TITLES = {"courses": "Membership Courses", "communities": "Communities", "affiliates": "Affiliate Manager"}


def _signed_in(page: Page, name: str, *, apps=(), phone: bool = True) -> int:
    email = new_email(name.split()[0].lower())
    account_id = create_account(email, name, apps=apps)
    if phone:
        give_phone(account_id)
    log_in(page, email=email)
    page.wait_for_url(HOME)
    return account_id


def test_an_incomplete_profile_blocks_every_app_until_it_is_completed(page: Page):
    _signed_in(page, "Petra Pending", apps=tuple(APP_TITLES), phone=False)
    expect(page.get_by_role("link", name="Complete your profile")).to_be_visible()  # the banner on home
    for key, title in APP_TITLES.items():
        page.goto(f"/apps/{key}")
        page.wait_for_url(re.compile(rf".*/profile/?\?needed_for={key}$"))
        expect(page.get_by_role("heading", name=f"Complete your profile to open {title}")).to_be_visible()
    assert switcher_titles(page) == ["Home"]

    page.get_by_label("Phone").fill("+44 20 7946 0958")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()
    for key, title in APP_TITLES.items():
        page.goto(f"/apps/{key}")
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def test_the_switcher_lists_exactly_the_granted_enabled_apps_and_navigates(page: Page):
    old = set_business(enabled_apps=["courses", "communities"])
    try:
        # Granted courses and affiliates; affiliates is switched off for the business; communities not granted.
        _signed_in(page, "Sam Switcher", apps=("courses", "affiliates"))
        assert switcher_titles(page) == ["Home", "Membership Courses"]
        open_switcher(page)
        expect(page.get_by_role("menuitem", name="Home")).to_have_attribute("aria-current", "page")
        page.get_by_role("menuitem", name="Membership Courses").click()
        page.wait_for_url(re.compile(r".*/apps/courses/?$"))
        expect(page.get_by_role("heading", name="Membership Courses", exact=True)).to_be_visible()
        open_switcher(page)
        expect(page.get_by_role("menuitem", name="Membership Courses")).to_have_attribute("aria-current", "page")
        page.keyboard.press("Escape")
        page.goto("/apps/affiliates")
        expect(page.get_by_role("heading", name="You do not have access to Affiliate Manager")).to_be_visible()
    finally:
        set_business(**old)


def test_the_switcher_works_with_the_keyboard_alone(page: Page):
    _signed_in(page, "Kim Keys", apps=("communities",))
    button = page.locator("#app-switcher-button")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menu")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    assert page.evaluate("document.activeElement.id") == "app-switcher-button"

    page.keyboard.press("Space")
    expect(page.get_by_role("menuitem", name="Home")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Communities")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/apps/communities/?$"))
    expect(page.get_by_role("heading", name="Communities", exact=True)).to_be_visible()


def test_the_timeline_shows_the_accounts_events_newest_first(page: Page):
    email = new_email("timeline")
    account_id = create_account(email, "Tia Timeline")
    give_phone(account_id)
    now = clock.now()
    with db.write_session() as session:
        for hours_ago, summary in ((3, "Oldest event"), (2, "Middle event"), (1, "Newest event")):
            activity.record(
                session,
                account_id=account_id,
                app_key="courses",
                kind="lesson_completed",
                summary=summary,
                at=now - timedelta(hours=hours_ago),
            )
    log_in(page, email=email)
    page.wait_for_url(HOME)
    timeline = page.get_by_role("region", name="Your timeline")
    expect(timeline.get_by_text("Newest event")).to_be_visible()
    texts = timeline.locator("li").all_inner_texts()
    positions = [
        next(i for i, text in enumerate(texts) if summary in text)
        for summary in ("Newest event", "Middle event", "Oldest event")
    ]
    assert positions == sorted(positions)


def test_the_example_plugin_app_appears_once_enabled(page: Page):
    old = set_business(enabled_apps=["courses", "communities", "affiliates"])
    try:
        _signed_in(page, "Nia Notes", apps=("notes",))
        assert "Notes" not in switcher_titles(page)
        set_business(enabled_apps=["courses", "communities", "affiliates", "notes"])
        page.reload()
        assert switcher_titles(page) == ["Home", "Notes"]
        open_switcher(page)
        page.get_by_role("menuitem", name="Notes").click()
        page.wait_for_url(re.compile(r".*/apps/notes/?$"))
        page.get_by_label("New note").fill("Bring the signed form")
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_text("Bring the signed form")).to_be_visible()
        page.goto("/")
        expect(page.get_by_role("region", name="Your timeline").get_by_text("Bring the signed form")).to_be_visible()
    finally:
        set_business(**old)


def test_a_sign_in_lands_on_the_business_default_app(page: Page):
    old = set_business(default_landing_app="courses")
    try:
        email = new_email("lander")
        give_phone(create_account(email, "Lan Lander", apps=("courses",)))
        log_in(page, email=email)
        page.wait_for_url(re.compile(r".*/apps/courses/?$"))
        expect(page.get_by_role("heading", name="Membership Courses", exact=True)).to_be_visible()
    finally:
        set_business(**old)
