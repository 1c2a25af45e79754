"""What the shell shows about the apps: home's cards and the switcher's entries."""

from __future__ import annotations

import dataclasses

from portal_app.apps import overview, registry
from portal_app.apps.registry import SummaryCard, SummaryLink
from tests.apps.support import add_account, grant, set_business


def test_cards_for_the_open_apps_only(database, frozen_clock, profiles):
    account = add_account()
    set_business(enabled_apps=["courses", "communities", "notes"])
    grant(account, "notes", "courses", "affiliates")
    cards = overview.home_cards(account)
    assert [(card.key, card.route, card.card.headline) for card in cards] == [
        ("courses", "/apps/courses", "No courses yet"),
        ("notes", "/apps/notes", "No notes yet"),
    ]
    profiles.mark_incomplete(account)
    assert overview.home_cards(account) == []


def test_a_failing_summary_shows_a_placeholder(database, frozen_clock, profiles, monkeypatch, caplog):
    account = add_account()
    grant(account, "courses", "communities")
    courses = registry.get_app("courses")

    def broken(account_id):
        raise RuntimeError("database on fire")

    monkeypatch.setitem(registry._registry._apps, "courses", dataclasses.replace(courses, summary=broken))
    cards = {card.key: card.card for card in overview.home_cards(account)}
    assert cards["courses"] == overview.UNAVAILABLE
    assert cards["communities"].headline == "No communities yet"
    monkeypatch.setitem(
        registry._registry._apps, "courses", dataclasses.replace(courses, summary=lambda _: "3 courses")
    )
    assert overview.home_cards(account)[0].card == overview.UNAVAILABLE


def test_switcher_entries_home_first_current_marked(database, frozen_clock, profiles):
    account = add_account()
    grant(account, "courses", "communities")
    entries = overview.switcher_entries(account, "/apps/communities")
    assert [(entry.key, entry.title, entry.route, entry.icon, entry.current) for entry in entries] == [
        ("home", "Home", "/", "house", False),
        ("courses", "Membership Courses", "/apps/courses", "graduation-cap", False),
        ("communities", "Communities", "/apps/communities", "users", True),
    ]
    assert [entry.current for entry in overview.switcher_entries(account, "/")] == [True, False, False]
    assert not any(entry.current for entry in overview.switcher_entries(account, "/profile"))
    profiles.mark_incomplete(account)
    assert [entry.key for entry in overview.switcher_entries(account, "/")] == ["home"]


def test_summary_card_defaults():
    assert SummaryCard(headline="x") == SummaryCard(headline="x", details=(), count=None)


def test_a_card_links_only_to_its_own_apps_pages(database, frozen_clock, profiles, monkeypatch, caplog):
    account = add_account()
    grant(account, "courses")
    courses = registry.get_app("courses")
    own = SummaryLink("Resume: Baking", "/apps/courses/baking/bread-2")
    foreign = [
        SummaryLink("Elsewhere", "https://evil.example/"),
        SummaryLink("Protocol-relative", "//evil.example/apps/courses"),
        SummaryLink("Other app", "/apps/notes"),
        SummaryLink("Admin", "/admin"),
        SummaryLink("Climb", "/apps/courses/../../admin"),
        SummaryLink("Script", "javascript:alert(1)"),
        SummaryLink("Query", "/apps/courses?next=https://evil.example"),
        "not a link",
    ]
    card = SummaryCard(headline="1 course in progress", links=(own, *foreign))
    monkeypatch.setitem(registry._registry._apps, "courses", dataclasses.replace(courses, summary=lambda _: card))
    [home_card] = overview.home_cards(account)
    assert home_card.card.links == (own,)
    assert "linked outside its own pages" in caplog.text
