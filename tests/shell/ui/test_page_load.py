"""A page's on_load handlers in one event (shell/ui/page_load.py), through the real event pipeline: one
principal read per page load, the same result as Reflex's chain, and nothing a client sends can widen it."""

from __future__ import annotations

import pytest
from reflex_base.registry import RegistrationContext

from portal_app.accounts import sessions
from portal_app.apps import access
from portal_app.apps.communities.ui.communities_state import CommunitiesState
from portal_app.apps.courses.ui.courses_state import CoursesState
from portal_app.home.ui.home_state import HomeState
from portal_app.profile.ui.profile_state import ProfileState
from portal_app.shell.ui.app_guard import OPEN, AppAccessState
from portal_app.shell.ui.page_load import PageLoadState, in_one_event
from portal_app.shell.ui.session_state import SessionState
from tests.apps.support import add_account, grant, stub_profiles
from tests.home.ui.test_home_state import cookie_for
from tests.support.hostile_input import NOT_A_STRING, ONE_MB, assert_nothing_crashed, check_each


@pytest.fixture
def ada(pipeline, monkeypatch) -> int:
    stub_profiles(monkeypatch)
    account = add_account()
    grant(account, "courses")
    return account


@pytest.fixture
def principal_reads(monkeypatch) -> list[object]:
    reads: list[object] = []
    real = access.principal_for_token

    def counted(token):
        reads.append(token)
        return real(token)

    monkeypatch.setattr(access, "principal_for_token", counted)
    return reads


async def test_app_pages_and_home_load_in_one_event(pipeline):
    app = RegistrationContext.get().app
    for path in ("/", "/apps/courses", "/apps/communities/some-group", "/profile"):
        events = app.get_load_events(path)
        assert len(events) == 1 and events[0].handler == PageLoadState.run, path


async def test_an_app_page_checks_the_session_and_the_gate_and_loads_with_one_principal_read(
    pipeline, caplog, ada, principal_reads
):
    client = await pipeline.connect("/apps/courses", cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    assert len(principal_reads) == 1, "the session check, the gate and the loader share one read"
    assert (await client.state(SessionState)).signed_in is True
    assert (await client.state(AppAccessState)).status == OPEN
    assert (await client.state(CoursesState)).courses_loaded is True
    assert (await client.root_state()).is_hydrated is True


async def test_home_loads_with_one_principal_read(pipeline, caplog, ada, principal_reads):
    client = await pipeline.connect("/", cookie=cookie_for(ada))
    assert_nothing_crashed(pipeline, caplog)
    assert len(principal_reads) == 1
    assert (await client.state(HomeState)).loaded is True


async def test_profile_and_security_read_the_session_once(pipeline, caplog, ada, principal_reads, monkeypatch):
    """Their loaders ask for the live session: within the page load it is the one read with the principal."""
    session_reads = []
    real = sessions.current_session
    monkeypatch.setattr(sessions, "current_session", lambda token: session_reads.append(token) or real(token))
    cookie = cookie_for(ada)
    for path in ("/profile", "/security"):
        await pipeline.connect(path, cookie=cookie)
    assert_nothing_crashed(pipeline, caplog)
    # One session read per connection is the tab's binding to its session (shell/ui/state_binding.py), before
    # the page load; the loaders read none.
    assert (len(principal_reads), len(session_reads)) == (2, 2)
    assert (await (await pipeline.connect("/profile", cookie=cookie)).state(ProfileState)).email == "ada@example.com"


async def test_the_next_event_reads_who_is_asking_again(pipeline, caplog, ada, principal_reads):
    """The principal is shared inside one page load only: a session that ends afterwards is seen at once."""
    cookie = cookie_for(ada)
    client = await pipeline.connect("/apps/courses", cookie=cookie)
    sessions.end_session(cookie.split("=", 1)[1])
    await client.send(CoursesState.load_courses, {})
    assert len(principal_reads) == 2
    state = await client.state(CoursesState)
    assert state.courses == [] and state.courses_loaded is False
    assert_nothing_crashed(pipeline, caplog)


async def test_without_a_session_an_app_page_still_sends_the_browser_to_login(pipeline, caplog, ada):
    client = await pipeline.connect("/apps/courses")
    assert_nothing_crashed(pipeline, caplog)
    assert client.redirects()[-1] == "/login?next=/apps/courses"
    assert (await client.state(CoursesState)).courses_loaded is False
    assert (await client.state(AppAccessState)).status != OPEN


async def test_any_route_a_client_sends_is_refused_or_loads_only_its_own_data(pipeline, caplog, ada):
    cases = {"unknown": "/nope", "empty": "", "one-mb": "x" * ONE_MB, **NOT_A_STRING}

    async def check(route) -> None:
        client = await pipeline.connect("/login")
        client.clear_updates()
        await client.send(PageLoadState.run, {"route": route})
        assert_nothing_crashed(pipeline, caplog)
        assert (await client.state(SessionState)).signed_in is False
        assert client.redirects() == []

    await check_each(pipeline, caplog, cases, check)
    # A declared route without a session: the page's own checks send the browser to /login, and load nothing.
    client = await pipeline.connect("/login")
    await client.send(PageLoadState.run, {"route": "/apps/courses"})
    assert_nothing_crashed(pipeline, caplog)
    assert client.redirects() and client.redirects()[-1].startswith("/login")
    assert (await client.state(CoursesState)).courses_loaded is False


def test_one_handler_or_one_that_cannot_share_an_event_keeps_reflexs_chain():
    assert in_one_event("/test-only-one", [SessionState.require_account]) == [SessionState.require_account]
    follower = CommunitiesState.follow_group  # a background event: it cannot run inside another event
    assert in_one_event("/test-background", [SessionState.require_account, follower]) == [
        SessionState.require_account,
        follower,
    ]
