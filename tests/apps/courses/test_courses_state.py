"""Membership Courses' pages and handlers through the real Reflex event pipeline: route parameters, refusals, payloads."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.accounts import sessions, tickets
from portal_app.apps.courses import service
from portal_app.apps.courses.building import LessonSpec, ModuleSpec
from portal_app.apps.courses.models import LessonCompletion
from portal_app.apps.courses.ui.courses_state import CoursesState
from portal_app.apps.grants import revoke_app
from portal_app.kernel import db
from portal_app.shell.ui.app_guard import DENIED, OPEN, AppAccessState
from portal_app.timeline import service as activity
from tests.apps.courses.support import XSS_PAYLOADS, assert_inert, make_course
from tests.apps.support import add_account, grant, set_business
from tests.support.hostile_input import assert_nothing_crashed

COOKIE = tickets.SESSION_COOKIE


def cookie_for(account_id: int) -> str:
    with db.write_session() as session:
        token = sessions.create_session(
            session, account_id=account_id, auth_method="code", user_agent="pytest", ip="203.0.113.5"
        )
    return f"{COOKIE}={token}"


def completions() -> list[LessonCompletion]:
    with db.read_session() as session:
        return list(session.exec(select(LessonCompletion)))


@pytest.fixture
def ada(pipeline, frozen_clock) -> int:
    set_business(enabled_apps=["courses", "communities", "affiliates", "notes"])
    account = add_account()
    grant(account, "courses")
    return account


@pytest.fixture
def enrolled(ada) -> int:
    make_course()
    service.enrol(ada, "baking")
    return ada


async def test_my_courses_lists_the_enrolled_course_with_progress(pipeline, caplog, profiles, enrolled):
    service.complete_lesson(enrolled, "baking", "bread-1")
    client = await pipeline.connect("/apps/courses", cookie=cookie_for(enrolled))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CoursesState)
    [row] = state.courses
    assert (state.status, state.courses_loaded) == (OPEN, True)
    assert (row.title, row.percent, row.progress, row.action, row.action_href) == (
        "Baking basics",
        25,
        "1 of 4 lessons done",
        "Resume",
        "/apps/courses/baking/bread-2",
    )
    # My courses shows the courses themselves, not the summary card: it is not worked out here.
    assert state.summary_headline == ""


async def test_my_courses_is_empty_without_enrolment(pipeline, caplog, profiles, ada):
    make_course()
    client = await pipeline.connect("/apps/courses", cookie=cookie_for(ada))
    state = await client.state(CoursesState)
    assert (state.courses_loaded, state.courses) == (True, [])


async def test_the_course_page_reads_its_slug_from_the_url(pipeline, caplog, profiles, enrolled):
    client = await pipeline.connect("/apps/courses/baking", cookie=cookie_for(enrolled))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CoursesState)
    assert (state.course.title, state.course.action, state.course_missing) == ("Baking basics", "Start", False)
    assert [module.title for module in state.modules] == ["Bread", "Cakes"]
    assert [lesson.href for lesson in state.modules[0].lessons] == [
        "/apps/courses/baking/bread-1",
        "/apps/courses/baking/bread-2",
    ]
    assert state.modules[0].lessons[0].is_next is True


async def test_a_lesson_page_then_mark_complete(pipeline, caplog, profiles, enrolled):
    client = await pipeline.connect("/apps/courses/baking/bread-1", cookie=cookie_for(enrolled))
    state = await client.state(CoursesState)
    assert (state.lesson_title, state.lesson_position, state.lesson_done) == ("Bread 1", "Lesson 1 of 4", False)
    assert state.lesson_html == "<p>Some <strong>text</strong>.</p>\n"
    assert (state.previous_href, state.next_href) == ("", "/apps/courses/baking/bread-2")

    await client.send(CoursesState.complete_lesson, {})
    await client.send(CoursesState.complete_lesson, {})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CoursesState)
    assert (state.lesson_done, state.notice) == (True, "You had already completed this lesson.")
    assert (state.up_next_title, state.up_next_href) == ("Bread 2", "/apps/courses/baking/bread-2")
    assert len(completions()) == 1
    assert [item.kind for item in activity.timeline(enrolled, app_key="courses").items] == [
        "lesson_completed",
        "course_enrolled",
    ]


async def test_completing_the_last_lesson_says_the_course_is_done(pipeline, caplog, profiles, enrolled):
    for slug in ("bread-1", "bread-2", "cake-1"):
        service.complete_lesson(enrolled, "baking", slug)
    client = await pipeline.connect("/apps/courses/baking/cake-2", cookie=cookie_for(enrolled))
    await client.send(CoursesState.complete_lesson, {})
    state = await client.state(CoursesState)
    assert (state.notice, state.course_just_completed, state.up_next_href) == ("Lesson marked complete.", True, "")


async def test_without_enrolment_the_pages_and_handler_refuse(pipeline, caplog, profiles, ada):
    make_course()
    cookie = cookie_for(ada)
    client = await pipeline.connect("/apps/courses/baking", cookie=cookie)
    state = await client.state(CoursesState)
    assert (state.status, state.course_missing, state.modules, state.course.title) == (OPEN, True, [], "")

    client = await pipeline.connect("/apps/courses/baking/bread-1", cookie=cookie)
    state = await client.state(CoursesState)
    assert (state.lesson_missing, state.lesson_html, state.lesson_title) == (True, "", "")
    await client.send(CoursesState.complete_lesson, {})
    assert_nothing_crashed(pipeline, caplog)
    assert (await client.state(CoursesState)).lesson_missing is True
    assert completions() == []
    assert "Some" not in str((await client.root_state()).dict())


async def test_a_draft_course_is_refused_to_the_enrolled(pipeline, caplog, profiles, ada):
    make_course(published=False)
    service.enrol(ada, "baking")
    client = await pipeline.connect("/apps/courses/baking/bread-1", cookie=cookie_for(ada))
    await client.send(CoursesState.complete_lesson, {})
    assert (await client.state(CoursesState)).lesson_missing is True
    assert completions() == []


@pytest.mark.parametrize(
    "path",
    [
        "/apps/courses/secret/hidden",
        "/apps/courses/baking/hidden",
        "/apps/courses/Baking/bread-1",
        "/apps/courses/baking/bread-1%00",
        "/apps/courses/baking/..%2F..%2Fsecret",
        "/apps/courses/baking/" + "b" * 81,
        "/apps/courses/%3Cscript%3E/bread-1",
    ],
)
async def test_lesson_urls_that_are_not_open_show_nothing_and_complete_nothing(
    pipeline, caplog, profiles, enrolled, path
):
    make_course(
        "secret", title="Secret course", modules=(ModuleSpec("Hidden", (LessonSpec("hidden", "Hidden", "secret"),)),)
    )
    client = await pipeline.connect(path, cookie=cookie_for(enrolled))
    await client.send(CoursesState.complete_lesson, {})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CoursesState)
    assert (state.lesson_missing, state.lesson_title, state.lesson_html) == (True, "", "")
    assert completions() == []
    shown = str((await client.root_state()).dict())
    assert "Secret course" not in shown and "Hidden" not in shown


async def test_complete_lesson_sent_for_another_tabs_path_is_checked_too(pipeline, caplog, profiles, enrolled):
    make_course("secret", title="Secret course")
    client = await pipeline.connect("/apps/courses/baking/bread-1", cookie=cookie_for(enrolled))
    await client.send(CoursesState.complete_lesson, {}, path="/apps/courses/secret/bread-1")
    assert_nothing_crashed(pipeline, caplog)
    assert [row.course_id for row in completions()] == []


async def test_handlers_gate_every_event(pipeline, caplog, profiles, enrolled):
    cookie = cookie_for(enrolled)
    client = await pipeline.connect("/apps/courses/baking/bread-1", cookie=cookie)
    assert (await client.state(CoursesState)).lesson_title == "Bread 1"
    with db.write_session() as session:
        revoke_app(session, account_id=enrolled, app_key="courses")
    await client.send(CoursesState.complete_lesson, {})
    state = await client.state(AppAccessState)
    assert state.status == DENIED
    lesson_state = await client.state(CoursesState)
    assert (lesson_state.lesson_title, lesson_state.lesson_html) == ("", "")
    assert completions() == []

    anonymous = await pipeline.connect("/apps/courses/baking/bread-1")
    await anonymous.send(CoursesState.complete_lesson, {})
    assert anonymous.redirects()[-1] == "/login?next=/apps/courses/baking/bread-1"
    assert completions() == []
    assert_nothing_crashed(pipeline, caplog)


async def test_a_hostile_lesson_body_reaches_the_state_sanitised(pipeline, caplog, profiles, ada):
    body = "\n\n".join(XSS_PAYLOADS.values())
    make_course(for_everyone=True, modules=(ModuleSpec("M", (LessonSpec("xss", "Payloads", body),)),))
    client = await pipeline.connect("/apps/courses/baking/xss", cookie=cookie_for(ada))
    html = (await client.state(CoursesState)).lesson_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert_inert(html)
