"""HomeState through the real event pipeline: cards and timeline of the signed-in account only."""

from __future__ import annotations

import pytest

from portal_app.accounts import sessions, tickets
from portal_app.home.ui.home_state import ALL_SOURCES, HomeState
from portal_app.kernel import db
from portal_app.profile import service as profile_service
from portal_app.profile.ui.profile_state import ProfileBannerState
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY
from tests.apps.support import Profiles, add_account, grant, set_business, stub_profiles
from tests.support.hostile_input import NOT_A_STRING, ONE_MB, assert_nothing_crashed, check_each

COOKIE = tickets.SESSION_COOKIE


@pytest.fixture
def profiles(monkeypatch) -> Profiles:
    return stub_profiles(monkeypatch)


def cookie_for(account_id: int) -> str:
    with db.write_session() as session:
        token = sessions.create_session(
            session, account_id=account_id, auth_method="code", user_agent="pytest", ip="203.0.113.5"
        )
    return f"{COOKIE}={token}"


def add(account_id: int, app_key: str, kind: str, summary: str = "") -> None:
    with db.write_session() as session:
        activity.record(session, account_id=account_id, app_key=app_key, kind=kind, summary=summary)


@pytest.fixture
def ada(pipeline, frozen_clock) -> int:
    account = add_account()
    grant(account, "courses", "notes")  # grants are on the timeline too
    for number in range(25):
        frozen_clock.advance(minutes=1)
        add(
            account,
            "courses" if number % 5 == 0 else PORTAL_APP_KEY,
            "lesson_completed" if number % 5 == 0 else "email_verified",
            f"entry {number}",
        )
    return account


async def open_home(pipeline, cookie) -> object:
    """Open / as a browser does: home's cards, timeline and banner come with the page load (its on_load), with
    no event of the page's own after it is shown."""
    return await pipeline.connect("/", cookie=cookie)


async def test_home_shows_the_open_apps_and_the_newest_page_of_the_timeline(pipeline, caplog, profiles, ada):
    client = await open_home(pipeline, cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(HomeState)
    assert state.loaded is True
    assert [(card.key, card.route, card.headline) for card in state.cards] == [
        ("courses", "/apps/courses", "No courses yet")
    ]
    assert [entry.summary for entry in state.entries[:3]] == ["entry 24", "entry 23", "entry 22"]
    assert len(state.entries) == 20 and state.has_more is True
    assert state.entries[0].when == "15 Jan 2026, 12:25 UTC" and state.entries[0].source == "Your account"
    assert state.sources == [
        {"value": PORTAL_APP_KEY, "label": "Your account"},
        {"value": "courses", "label": "Membership Courses"},
    ]


async def test_the_cursor_never_reaches_the_browser(pipeline, caplog, profiles, ada):
    client = await open_home(pipeline, cookie_for(ada))
    assert "_cursor" not in repr([update.delta for token, update in pipeline.updates if token == client.token])


async def test_show_more_then_the_end(pipeline, caplog, profiles, ada):
    client = await open_home(pipeline, cookie_for(ada))
    await client.send(HomeState.show_more, {})
    state = await client.state(HomeState)
    assert len(state.entries) == 27 and state.has_more is False  # 25 entries + 2 grants
    assert len({entry.id for entry in state.entries}) == 27
    await client.send(HomeState.show_more, {})
    assert len((await client.state(HomeState)).entries) == 27
    assert_nothing_crashed(pipeline, caplog)


async def test_filtering_by_app(pipeline, caplog, profiles, ada):
    client = await open_home(pipeline, cookie_for(ada))
    await client.send(HomeState.set_source, {"value": "courses"})
    state = await client.state(HomeState)
    assert state.source == "courses" and state.has_more is False
    assert [entry.summary for entry in state.entries] == [f"entry {number}" for number in (20, 15, 10, 5, 0)]
    await client.send(HomeState.set_source, {"value": ALL_SOURCES})
    assert len((await client.state(HomeState)).entries) == 20
    assert_nothing_crashed(pipeline, caplog)


async def test_a_filter_that_is_not_a_source_changes_nothing(pipeline, caplog, profiles, ada):
    cookie = cookie_for(ada)
    cases = {**NOT_A_STRING, "unknown": "games", "upper": "COURSES", "one-mb": "c" * ONE_MB, "empty": ""}

    async def check(value):
        client = await open_home(pipeline, cookie)
        await client.send(HomeState.set_source, {"value": value})
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(HomeState)
        assert state.source == ALL_SOURCES and len(state.entries) == 20

    await check_each(pipeline, caplog, cases, check)


async def test_only_the_signed_in_accounts_entries(pipeline, caplog, profiles, ada, frozen_clock):
    grace = add_account("grace@example.com", "Grace Hopper")
    add(grace, "notes", "note_added", "grace's note")
    client = await open_home(pipeline, cookie_for(grace))
    state = await client.state(HomeState)
    assert [entry.summary for entry in state.entries] == ["grace's note"]
    assert state.cards == [] and state.has_more is False


async def test_without_a_session_nothing_is_loaded(pipeline, caplog, profiles, ada):
    for cookie in (None, f"{COOKIE}=garbage", f"{COOKIE}={'a' * ONE_MB}"):
        client = await open_home(pipeline, cookie)
        for handler, payload in ((HomeState.show_more, {}), (HomeState.set_source, {"value": "courses"})):
            await client.send(handler, payload)
        assert_nothing_crashed(pipeline, caplog)
        state = await client.state(HomeState)
        assert (state.loaded, state.entries, state.cards, state.sources) == (False, [], [], [])


async def test_a_session_that_ends_stops_show_more_and_forgets_the_timeline(pipeline, caplog, profiles, ada):
    cookie = cookie_for(ada)
    client = await open_home(pipeline, cookie)
    sessions.end_session(cookie.split("=", 1)[1])
    await client.send(HomeState.show_more, {})
    state = await client.state(HomeState)
    assert (state.loaded, state.entries) == (False, [])


async def test_an_incomplete_profile_shows_no_cards_but_the_timeline(pipeline, caplog, profiles, ada):
    profiles.mark_incomplete(ada)
    client = await open_home(pipeline, cookie_for(ada))
    state = await client.state(HomeState)
    assert state.cards == [] and len(state.entries) == 20


async def test_every_open_app_gets_a_card(pipeline, caplog, profiles, ada):
    set_business(enabled_apps=["courses", "communities", "affiliates", "notes"], apps_for_everyone=["affiliates"])
    client = await open_home(pipeline, cookie_for(ada))
    assert [card.key for card in (await client.state(HomeState)).cards] == ["courses", "affiliates", "notes"]


async def test_times_are_shown_in_the_profiles_time_zone(pipeline, caplog, profiles, ada, frozen_clock):
    from portal_app.profile.models import Profile

    with db.write_session() as session:
        session.add(Profile(account_id=ada, time_zone="Europe/Paris", updated_at=frozen_clock.current))
    client = await open_home(pipeline, cookie_for(ada))
    assert (await client.state(HomeState)).entries[0].when == "15 Jan 2026, 13:25 CET"
    await client.send(HomeState.set_source, {"value": "courses"})
    assert (await client.state(HomeState)).entries[0].when == "15 Jan 2026, 13:21 CET"


async def test_homes_load_fills_the_profile_banner_in_the_same_event(pipeline, caplog, ada):
    """Home's load shows the banner too (it does not load itself: one event fewer per visit), with what the
    profile service says is missing (read with the principal, not again)."""
    client = await open_home(pipeline, cookie_for(ada))
    banner = await client.state(ProfileBannerState)
    missing = profile_service.missing_required_fields(ada)
    assert missing, "a new account has details left to fill in"
    assert (banner.left, banner.required, banner.missing_text) == (
        len(missing),
        len(profile_service.required_fields()),
        ", ".join(missing),
    )
    await client.send(ProfileBannerState.load, {})
    banner = await client.state(ProfileBannerState)
    assert (banner.left, banner.missing_text) == (len(missing), ", ".join(missing))
    assert_nothing_crashed(pipeline, caplog)
