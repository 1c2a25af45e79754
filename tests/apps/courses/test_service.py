"""Membership Courses' service: who may open what, progress, idempotent completion, enrolment, summary, export."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.apps.courses import building, service
from portal_app.apps.courses.building import LessonSpec, ModuleSpec
from portal_app.apps.courses.models import Enrolment, LessonCompletion
from portal_app.apps.registry import SummaryLink
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.timeline import service as activity
from tests.apps.courses.support import lessons, make_course
from tests.apps.support import add_account


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model)))


def kinds(account_id: int) -> list[str]:
    return [item.kind for item in activity.timeline(account_id, app_key="courses").items]


@pytest.fixture
def ada(database, frozen_clock) -> int:
    return add_account()


# --- access -------------------------------------------------------------------------------------------


def test_a_course_opens_only_once_enrolled(ada):
    make_course()
    with pytest.raises(LookupError):
        service.course_outline(ada, "baking")
    with pytest.raises(LookupError):
        service.lesson_view(ada, "baking", "bread-1")
    with pytest.raises(LookupError):
        service.complete_lesson(ada, "baking", "bread-1")
    assert service.my_courses(ada) == [] and rows(LessonCompletion) == []
    assert service.enrol(ada, "baking") is True
    assert service.course_outline(ada, "baking").title == "Baking basics"


def test_a_draft_course_stays_closed_even_to_the_enrolled(ada):
    make_course(published=False)
    service.enrol(ada, "baking")
    for call in (
        lambda: service.course_outline(ada, "baking"),
        lambda: service.lesson_view(ada, "baking", "bread-1"),
        lambda: service.complete_lesson(ada, "baking", "bread-1"),
    ):
        with pytest.raises(LookupError):
            call()
    assert service.my_courses(ada) == [] and rows(LessonCompletion) == []


def test_a_course_for_everyone_opens_without_enrolment(ada):
    make_course(for_everyone=True)
    [card] = service.my_courses(ada)
    assert (card.slug, card.enrolled, card.percent, card.next_lesson.slug) == ("baking", False, 0, "bread-1")
    assert service.lesson_view(ada, "baking", "bread-1").title == "Bread 1"


def test_a_lesson_of_another_course_is_not_found_through_mine(ada):
    make_course()
    make_course(
        "secret", title="Secret course", modules=(ModuleSpec("Hidden", (LessonSpec("hidden", "Hidden", "secret"),)),)
    )
    service.enrol(ada, "baking")
    with pytest.raises(LookupError):
        service.lesson_view(ada, "baking", "hidden")
    with pytest.raises(LookupError):
        service.complete_lesson(ada, "baking", "hidden")
    with pytest.raises(LookupError):
        service.lesson_view(ada, "secret", "hidden")
    assert rows(LessonCompletion) == []


def test_another_accounts_enrolment_opens_nothing_for_me(ada):
    grace = add_account("grace@example.com", "Grace Hopper")
    make_course()
    service.enrol(grace, "baking")
    with pytest.raises(LookupError):
        service.course_outline(ada, "baking")
    assert service.my_courses(ada) == []


BAD_SLUGS = {
    "none": None,
    "int": 5,
    "list": ["baking"],
    "dict": {"$ne": ""},
    "empty": "",
    "upper": "Baking",
    "space": "bak ing",
    "slash": "baking/bread-1",
    "dots": "..",
    "newline": "baking\n",
    "nul": "baking\x00",
    "too-long": "b" * 81,
    "sql": "baking' OR 1=1 --",
    "percent": "%62aking",
}


@pytest.mark.parametrize("slug", BAD_SLUGS.values(), ids=BAD_SLUGS.keys())
def test_bad_slugs_are_not_found_and_change_nothing(ada, slug):
    make_course(for_everyone=True)
    for call in (
        lambda: service.course_outline(ada, slug),
        lambda: service.lesson_view(ada, slug, "bread-1"),
        lambda: service.lesson_view(ada, "baking", slug),
        lambda: service.complete_lesson(ada, "baking", slug),
        lambda: service.complete_lesson(ada, slug, "bread-1"),
    ):
        with pytest.raises(LookupError):
            call()
    with pytest.raises(FieldError) as refused:
        service.enrol(ada, slug)
    assert refused.value.field == "course" and refused.value.message.endswith(".")
    assert rows(LessonCompletion) == [] and rows(Enrolment) == [] and kinds(ada) == []


def test_enrolling_in_a_course_that_does_not_exist_stores_nothing(ada):
    with pytest.raises(LookupError):
        service.enrol(ada, "nothing-here")
    make_course()
    with pytest.raises(LookupError):
        service.enrol(999_999, "baking")
    assert rows(Enrolment) == []


# --- progress -----------------------------------------------------------------------------------------


def test_outline_and_progress_follow_the_lessons_done(ada):
    make_course()
    service.enrol(ada, "baking")
    outline = service.course_outline(ada, "baking")
    assert [module.title for module in outline.modules] == ["Bread", "Cakes"]
    assert [[lesson.slug for lesson in module.lessons] for module in outline.modules] == [
        ["bread-1", "bread-2"],
        ["cake-1", "cake-2"],
    ]
    assert (outline.percent, outline.next_lesson.slug) == (0, "bread-1")

    service.complete_lesson(ada, "baking", "bread-1")
    service.complete_lesson(ada, "baking", "cake-1")
    outline = service.course_outline(ada, "baking")
    flat = [lesson for module in outline.modules for lesson in module.lessons]
    assert [(lesson.slug, lesson.done, lesson.is_next) for lesson in flat] == [
        ("bread-1", True, False),
        ("bread-2", False, True),
        ("cake-1", True, False),
        ("cake-2", False, False),
    ]
    assert (outline.lessons_done, outline.lessons_total, outline.percent) == (2, 4, 50)
    [card] = service.my_courses(ada)
    assert (card.percent, card.next_lesson.slug, card.completed) == (50, "bread-2", False)


def test_a_lesson_knows_its_neighbours(ada):
    make_course()
    service.enrol(ada, "baking")
    first = service.lesson_view(ada, "baking", "bread-1")
    assert (first.previous, first.next.slug, first.number, first.lessons_total) == (None, "bread-2", 1, 4)
    middle = service.lesson_view(ada, "baking", "cake-1")
    assert (middle.previous.slug, middle.next.slug, middle.module_title) == ("bread-2", "cake-2", "Cakes")
    last = service.lesson_view(ada, "baking", "cake-2")
    assert (last.previous.slug, last.next) == ("cake-1", None)


def test_completion_is_idempotent_and_recorded_once(ada):
    make_course()
    service.enrol(ada, "baking")
    first = service.complete_lesson(ada, "baking", "bread-1")
    again = service.complete_lesson(ada, "baking", "bread-1")
    assert (first.newly_done, again.newly_done) == (True, False)
    assert (first.percent, again.percent, first.up_next.slug) == (25, 25, "bread-2")
    assert len(rows(LessonCompletion)) == 1
    assert kinds(ada) == ["lesson_completed", "course_enrolled"]
    assert activity.timeline(ada).items[0].summary == "Bread 1 (Baking basics)"
    assert service.lesson_view(ada, "baking", "bread-1").done is True


def test_the_last_lesson_completes_the_course_once(ada):
    make_course()
    service.enrol(ada, "baking")
    for slug in ("cake-2", "bread-1", "cake-1"):
        assert service.complete_lesson(ada, "baking", slug).course_completed is False
    up_next = service.complete_lesson(ada, "baking", "cake-1").up_next
    assert up_next.slug == "bread-2"
    done = service.complete_lesson(ada, "baking", "bread-2")
    assert (done.course_completed, done.percent, done.up_next) == (True, 100, None)
    service.complete_lesson(ada, "baking", "bread-2")
    assert kinds(ada).count("course_completed") == 1 and kinds(ada).count("lesson_completed") == 4
    [card] = service.my_courses(ada)
    assert (card.completed, card.next_lesson) == (True, None)
    assert service.summary(ada).headline == "1 course completed"


def test_enrolling_twice_counts_once(ada):
    make_course()
    assert (service.enrol(ada, "baking"), service.enrol(ada, "baking")) == (True, False)
    assert len(rows(Enrolment)) == 1 and kinds(ada) == ["course_enrolled"]
    assert activity.timeline(ada).items[0].label == "Enrolled in a course"


def test_my_courses_lists_enrolled_first_then_those_for_everyone(ada):
    make_course("open", title="Open to all", for_everyone=True, position=0)
    make_course(position=1)
    make_course("draft", title="Draft", published=False, for_everyone=True)
    service.enrol(ada, "baking")
    assert [(card.slug, card.enrolled) for card in service.my_courses(ada)] == [("baking", True), ("open", False)]


# --- the home card and export -------------------------------------------------------------------------


def test_the_summary_card_comes_from_the_apps_own_tables(ada):
    assert service.summary(ada).headline == "No courses yet"
    make_course()
    make_course("open", title="Open to all", for_everyone=True, position=1)
    assert service.summary(ada).headline == "1 course to start"
    service.enrol(ada, "baking")
    service.complete_lesson(ada, "baking", "bread-1")
    card = service.summary(ada)
    assert (card.headline, card.details, card.count) == ("1 course in progress", ("Baking basics: 25% done",), 1)
    assert card.links == (SummaryLink("Resume: Baking basics", "/apps/courses/baking/bread-2"),)
    grace = add_account("grace@example.com", "Grace Hopper")
    assert service.summary(grace).headline == "1 course to start"


def test_export_holds_only_the_accounts_own_progress(ada, frozen_clock):
    grace = add_account("grace@example.com", "Grace Hopper")
    make_course()
    for account in (ada, grace):
        service.enrol(account, "baking")
    service.complete_lesson(ada, "baking", "bread-1")
    service.complete_lesson(grace, "baking", "cake-1")
    exported = service.export(ada)
    assert exported == {
        "enrolments": [{"course": "baking", "title": "Baking basics", "enrolled_at": frozen_clock.current.isoformat()}],
        "completed_lessons": [
            {
                "course": "baking",
                "lesson": "bread-1",
                "title": "Bread 1",
                "completed_at": frozen_clock.current.isoformat(),
            }
        ],
        "quiz_attempts": [],
        "certificates": [],
    }


# --- building courses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 2001}, "description"),
        ({"description": None}, "description"),
        ({"modules": (ModuleSpec("M", (LessonSpec("a", "A", "x" * 100_001),)),)}, "body"),
        ({"modules": (ModuleSpec("M", (LessonSpec("a", "A", "ok\x1b[2J"),)),)}, "body"),
        ({"modules": (ModuleSpec("M", lessons("a", 1) + lessons("a", 1)),)}, "lesson_slug"),
    ],
)
def test_a_bad_course_is_refused_whole(database, frozen_clock, arguments, field):
    good = {"slug": "ok", "title": "Fine", "published": True, "modules": (ModuleSpec("M", lessons("l", 2)),)}
    with pytest.raises(FieldError) as refused:
        with db.write_session() as session:
            building.create_course(session, **{**good, **arguments})
    assert refused.value.field == field
    assert service.all_courses() == []


def test_a_lesson_may_hold_100000_characters(database, frozen_clock):
    make_course(modules=(ModuleSpec("M", (LessonSpec("long", "Long", "x" * 100_000),)),), for_everyone=True)
    account = add_account()
    assert len(service.lesson_view(account, "baking", "long").body_html) > 100_000
