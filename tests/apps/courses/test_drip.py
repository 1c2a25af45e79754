"""Drip: lessons and modules that open some days after enrolment or on a date, in the business's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app.apps.courses import drip, service
from portal_app.apps.courses.building import LessonSpec, ModuleSpec
from portal_app.apps.courses.models import Enrolment, LessonCompletion
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.timeline import service as activity
from tests.apps.courses.support import make_course
from tests.apps.support import add_account

# The frozen clock starts at 2026-01-15 12:00 UTC.
START = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model)))


def kinds(account_id: int) -> list[str]:
    return [item.kind for item in activity.timeline(account_id, app_key="courses").items]


def set_time_zone(name: str) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.time_zone = name
        session.add(business)


def labels(account_id: int, slug: str = "baking") -> dict[str, str]:
    outline = service.course_outline(account_id, slug)
    return {lesson.slug: lesson.locked_label for module in outline.modules for lesson in module.lessons}


def lesson(slug: str, **drip_settings) -> LessonSpec:
    return LessonSpec(slug, slug.replace("-", " ").title(), "Read me.", **drip_settings)


def make_dripped(*modules: ModuleSpec, for_everyone: bool = False) -> str:
    return make_course(modules=modules, for_everyone=for_everyone)


@pytest.fixture
def ada(database, frozen_clock) -> int:
    return add_account()


# --- days after enrolment ------------------------------------------------------------------------------


def test_a_lesson_seven_days_after_enrolment_is_locked_until_then(ada, frozen_clock):
    make_dripped(ModuleSpec("Week 1", (lesson("welcome"), lesson("week-two", unlock_after_days=7))))
    service.enrol(ada, "baking")
    assert labels(ada) == {"welcome": "", "week-two": "Unlocks 22 Jan, in 7 days"}

    with pytest.raises(service.LessonLocked) as locked:
        service.lesson_view(ada, "baking", "week-two")
    assert locked.value.label == "Unlocks 22 Jan, in 7 days"
    with pytest.raises(service.LessonLocked):
        service.complete_lesson(ada, "baking", "week-two")
    assert rows(LessonCompletion) == [] and kinds(ada) == ["course_enrolled"]

    frozen_clock.advance(days=7, minutes=-1)
    assert labels(ada)["week-two"] == "Unlocks 22 Jan, in less than an hour"
    with pytest.raises(service.LessonLocked):
        service.complete_lesson(ada, "baking", "week-two")

    frozen_clock.advance(minutes=1)
    assert labels(ada)["week-two"] == ""
    assert service.lesson_view(ada, "baking", "week-two").title == "Week Two"
    assert service.complete_lesson(ada, "baking", "week-two").newly_done is True
    assert [row.completed_at for row in rows(LessonCompletion)] == [START + timedelta(days=7)]


def test_a_locked_lesson_is_still_a_lookup_error_for_callers_that_only_know_those(ada):
    make_dripped(ModuleSpec("Week 1", (lesson("later", unlock_after_days=3),)))
    service.enrol(ada, "baking")
    with pytest.raises(LookupError):
        service.lesson_view(ada, "baking", "later")
    assert issubclass(service.LessonLocked, LookupError)


def test_a_module_with_drip_locks_every_lesson_in_it(ada, frozen_clock):
    make_dripped(
        ModuleSpec("Week 1", (lesson("one"), lesson("two"))),
        ModuleSpec("Week 2", (lesson("three"), lesson("four")), unlock_after_days=7),
    )
    service.enrol(ada, "baking")
    assert labels(ada) == {
        "one": "",
        "two": "",
        "three": "Unlocks 22 Jan, in 7 days",
        "four": "Unlocks 22 Jan, in 7 days",
    }
    for slug in ("three", "four"):
        with pytest.raises(service.LessonLocked):
            service.lesson_view(ada, "baking", slug)
        with pytest.raises(service.LessonLocked):
            service.complete_lesson(ada, "baking", slug)
    assert rows(LessonCompletion) == []
    frozen_clock.advance(days=7)
    assert set(labels(ada).values()) == {""}
    assert service.complete_lesson(ada, "baking", "four").newly_done is True


def test_drip_counts_from_each_persons_own_enrolment(ada, frozen_clock):
    make_dripped(ModuleSpec("Week 1", (lesson("welcome"), lesson("later", unlock_after_days=2))))
    service.enrol(ada, "baking")
    frozen_clock.advance(days=2)
    grace = add_account("grace@example.com", "Grace Hopper")
    service.enrol(grace, "baking")
    assert labels(ada)["later"] == ""
    assert labels(grace)["later"] == "Unlocks 19 Jan, in 2 days"
    with pytest.raises(service.LessonLocked):
        service.complete_lesson(grace, "baking", "later")
    assert service.complete_lesson(ada, "baking", "later").newly_done is True


# --- a date, in the business's time zone ---------------------------------------------------------------


def test_a_date_opens_at_midnight_in_the_business_time_zone(ada, frozen_clock):
    set_time_zone("America/New_York")
    make_dripped(ModuleSpec("Week 1", (lesson("welcome"), lesson("february", unlock_on=date(2026, 2, 1)))))
    service.enrol(ada, "baking")
    # Midnight on 1 February in New York (EST, UTC-5) is 05:00 UTC.
    frozen_clock.current = datetime(2026, 2, 1, 4, 59, tzinfo=UTC)
    assert labels(ada)["february"] == "Unlocks 1 Feb, in less than an hour"
    with pytest.raises(service.LessonLocked):
        service.lesson_view(ada, "baking", "february")
    frozen_clock.current = datetime(2026, 2, 1, 5, 1, tzinfo=UTC)
    assert labels(ada)["february"] == ""
    assert service.lesson_view(ada, "baking", "february").slug == "february"


def test_the_same_date_opens_earlier_for_a_business_east_of_utc(ada, frozen_clock):
    set_time_zone("Pacific/Auckland")
    make_dripped(ModuleSpec("Week 1", (lesson("welcome"), lesson("february", unlock_on=date(2026, 2, 1)))))
    service.enrol(ada, "baking")
    # Midnight on 1 February in Auckland (NZDT, UTC+13) is 11:00 UTC on 31 January: the label says
    # the business's date, not UTC's.
    frozen_clock.current = datetime(2026, 1, 31, 10, 59, tzinfo=UTC)
    assert labels(ada)["february"] == "Unlocks 1 Feb, in less than an hour"
    frozen_clock.current = datetime(2026, 1, 31, 11, 0, tzinfo=UTC)
    assert labels(ada)["february"] == ""
    assert service.complete_lesson(ada, "baking", "february").newly_done is True


def test_a_date_opens_at_utc_midnight_when_the_business_keeps_utc(ada, frozen_clock):
    make_dripped(ModuleSpec("Week 1", (lesson("welcome"), lesson("february", unlock_on=date(2026, 2, 1)))))
    service.enrol(ada, "baking")
    frozen_clock.current = datetime(2026, 1, 31, 23, 59, tzinfo=UTC)
    with pytest.raises(service.LessonLocked):
        service.lesson_view(ada, "baking", "february")
    frozen_clock.current = datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
    assert service.lesson_view(ada, "baking", "february").slug == "february"


def test_an_unknown_time_zone_reads_dates_in_utc(ada, frozen_clock):
    set_time_zone("Mars/Olympus_Mons")
    make_dripped(ModuleSpec("Week 1", (lesson("welcome"), lesson("february", unlock_on=date(2026, 2, 1)))))
    service.enrol(ada, "baking")
    frozen_clock.current = datetime(2026, 1, 31, 23, 59, tzinfo=UTC)
    assert labels(ada)["february"] == "Unlocks 1 Feb, in less than an hour"
    frozen_clock.current = datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
    assert labels(ada)["february"] == ""


def test_a_date_already_past_at_enrolment_is_open(ada):
    make_dripped(ModuleSpec("Week 1", (lesson("old", unlock_on=date(2025, 6, 1)),)))
    service.enrol(ada, "baking")
    assert labels(ada) == {"old": ""}
    assert service.complete_lesson(ada, "baking", "old").course_completed is True


# --- module and lesson together ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module_drip", "lesson_drip", "opens"),
    [
        ({"unlock_after_days": 7}, {"unlock_after_days": 3}, datetime(2026, 1, 22, 12, 0, tzinfo=UTC)),
        ({"unlock_after_days": 3}, {"unlock_after_days": 10}, datetime(2026, 1, 25, 12, 0, tzinfo=UTC)),
        ({"unlock_on": date(2026, 2, 1)}, {"unlock_after_days": 3}, datetime(2026, 2, 1, 0, 0, tzinfo=UTC)),
        ({"unlock_after_days": 30}, {"unlock_on": date(2026, 2, 1)}, datetime(2026, 2, 14, 12, 0, tzinfo=UTC)),
        ({"unlock_after_days": 1, "unlock_on": date(2026, 1, 20)}, {}, datetime(2026, 1, 20, 0, 0, tzinfo=UTC)),
        ({}, {"unlock_after_days": 10, "unlock_on": date(2026, 1, 20)}, datetime(2026, 1, 25, 12, 0, tzinfo=UTC)),
    ],
    ids=["module-later", "lesson-later", "module-date-later", "module-days-later", "module-both", "lesson-both"],
)
def test_the_later_of_module_and_lesson_drip_wins(ada, frozen_clock, module_drip, lesson_drip, opens):
    make_dripped(
        ModuleSpec("Week 1", (lesson("welcome"),)), ModuleSpec("Later", (lesson("it", **lesson_drip),), **module_drip)
    )
    service.enrol(ada, "baking")
    frozen_clock.current = opens - timedelta(seconds=1)
    assert labels(ada)["it"].startswith(f"Unlocks {opens.day} {opens:%b}, ")
    with pytest.raises(service.LessonLocked):
        service.complete_lesson(ada, "baking", "it")
    frozen_clock.current = opens
    assert labels(ada)["it"] == ""
    assert service.complete_lesson(ada, "baking", "it").newly_done is True


# --- Start / Resume and Up next ------------------------------------------------------------------------


def test_start_and_resume_skip_locked_lessons(ada, frozen_clock):
    make_dripped(
        ModuleSpec("Week 1", (lesson("one"), lesson("locked", unlock_after_days=7), lesson("three"))),
        ModuleSpec("Week 2", (lesson("four"),), unlock_after_days=14),
    )
    service.enrol(ada, "baking")
    done = service.complete_lesson(ada, "baking", "one")
    assert done.up_next.slug == "three"
    outline = service.course_outline(ada, "baking")
    assert outline.next_lesson.slug == "three"
    assert [lesson.slug for module in outline.modules for lesson in module.lessons if lesson.is_next] == ["three"]
    [card] = service.my_courses(ada)
    assert card.next_lesson.slug == "three"

    # Every open lesson done: nothing to resume until the next one unlocks.
    assert service.complete_lesson(ada, "baking", "three").up_next is None
    [card] = service.my_courses(ada)
    assert (card.next_lesson, card.lessons_done, card.percent, card.completed) == (None, 2, 50, False)
    assert service.course_outline(ada, "baking").next_lesson is None

    frozen_clock.advance(days=7)
    [card] = service.my_courses(ada)
    assert card.next_lesson.slug == "locked"
    assert service.complete_lesson(ada, "baking", "locked").up_next is None
    frozen_clock.advance(days=7)
    assert service.course_outline(ada, "baking").next_lesson.slug == "four"


def test_a_course_whose_first_lesson_is_locked_starts_at_the_first_open_one(ada):
    make_dripped(ModuleSpec("Week 1", (lesson("later", unlock_after_days=1), lesson("now"))))
    service.enrol(ada, "baking")
    [card] = service.my_courses(ada)
    assert card.next_lesson.slug == "now"


# --- a course offered to everyone ----------------------------------------------------------------------


def test_a_course_for_everyone_starts_its_drip_on_the_first_open(ada, frozen_clock):
    make_dripped(ModuleSpec("Week 1", (lesson("welcome"), lesson("later", unlock_after_days=7))), for_everyone=True)
    frozen_clock.advance(days=30)
    [card] = service.my_courses(ada)
    assert card.enrolled is False and rows(Enrolment) == []

    first_open = frozen_clock.current
    assert labels(ada)["later"] == "Unlocks 21 Feb, in 7 days"
    [enrolment] = rows(Enrolment)
    assert (enrolment.account_id, enrolment.enrolled_at) == (ada, first_open)
    assert kinds(ada) == ["course_enrolled"]
    [card] = service.my_courses(ada)
    assert card.enrolled is True

    frozen_clock.advance(days=6)
    assert labels(ada)["later"] == "Unlocks 21 Feb, in 1 day"
    with pytest.raises(service.LessonLocked):
        service.complete_lesson(ada, "baking", "later")
    frozen_clock.advance(days=1)
    assert labels(ada)["later"] == ""
    assert service.complete_lesson(ada, "baking", "later").newly_done is True
    assert len(rows(Enrolment)) == 1 and kinds(ada).count("course_enrolled") == 1


def test_opening_a_lesson_of_a_course_for_everyone_also_starts_it(ada, frozen_clock):
    make_dripped(ModuleSpec("Week 1", (lesson("welcome"), lesson("later", unlock_after_days=2))), for_everyone=True)
    assert service.lesson_view(ada, "baking", "welcome").slug == "welcome"
    [enrolment] = rows(Enrolment)
    assert enrolment.enrolled_at == START
    frozen_clock.advance(days=2)
    assert service.lesson_view(ada, "baking", "later").slug == "later"


# --- the label -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opens", "label"),
    [
        (START + timedelta(minutes=1), "Unlocks 15 Jan, in less than an hour"),
        (START + timedelta(minutes=59), "Unlocks 15 Jan, in less than an hour"),
        (START + timedelta(hours=1), "Unlocks 15 Jan, in 1 hour"),
        (START + timedelta(hours=5), "Unlocks 15 Jan, in 5 hours"),
        (START + timedelta(hours=4, minutes=1), "Unlocks 15 Jan, in 5 hours"),
        (START + timedelta(hours=11, minutes=59), "Unlocks 15 Jan, in 12 hours"),
        (START + timedelta(hours=13), "Unlocks 16 Jan, in 13 hours"),
        (START + timedelta(hours=23, minutes=59), "Unlocks 16 Jan, in 24 hours"),
        (START + timedelta(days=1), "Unlocks 16 Jan, in 1 day"),
        (START + timedelta(days=7), "Unlocks 22 Jan, in 7 days"),
        (START + timedelta(days=20), "Unlocks 4 Feb, in 20 days"),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "Unlocks 31 Dec, in 350 days"),
        (datetime(2027, 2, 3, 0, 0, tzinfo=UTC), "Unlocks 3 Feb 2027, in 384 days"),
    ],
)
def test_the_label_says_the_day_and_how_long(opens, label):
    assert drip.unlock_label(opens, START, "UTC") == label


@pytest.mark.parametrize("opens", [None, START, START - timedelta(seconds=1), START - timedelta(days=400)])
def test_an_open_lesson_has_no_label(opens):
    assert drip.unlock_label(opens, START, "UTC") == ""


def test_the_label_uses_the_business_calendar_for_the_day_and_the_year():
    new_years_eve = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    opens = datetime(2027, 1, 2, 0, 0, tzinfo=UTC)
    # In UTC it is still 2026 and the lesson opens in 2027.
    assert drip.unlock_label(opens, new_years_eve, "UTC") == "Unlocks 2 Jan 2027, in 2 days"
    # In Auckland it is already 1 January 2027 and the lesson opens at 13:00 on 2 January: same year, tomorrow.
    assert drip.unlock_label(opens, new_years_eve, "Pacific/Auckland") == "Unlocks 2 Jan, in 1 day"
    # In Los Angeles it is noon on 31 December 2026 and the lesson opens at 16:00 on 1 January 2027: tomorrow.
    assert drip.unlock_label(opens, new_years_eve, "America/Los_Angeles") == "Unlocks 1 Jan 2027, in 1 day"


# --- drip.py on its own --------------------------------------------------------------------------------


def test_a_drip_that_waits_for_nothing_never_locks():
    assert drip.Drip().opens_at(START, "UTC") is None
    assert drip.Drip(after_days=0).opens_at(START, "UTC") is None
    assert drip.opens_at(START, "UTC") is None
    assert drip.opens_at(START, "UTC", drip.Drip(), drip.Drip()) is None
    assert drip.is_locked(None, START) is False


def test_a_drip_opens_at_the_later_of_its_days_and_its_date():
    assert drip.Drip(after_days=7).opens_at(START, "UTC") == datetime(2026, 1, 22, 12, 0, tzinfo=UTC)
    assert drip.Drip(on=date(2026, 3, 1)).opens_at(START, "Europe/Paris") == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert drip.Drip(after_days=7, on=date(2026, 1, 16)).opens_at(START, "UTC") == datetime(
        2026, 1, 22, 12, 0, tzinfo=UTC
    )
    assert drip.Drip(after_days=1, on=date(2026, 3, 1)).opens_at(START, "UTC") == datetime(2026, 3, 1, tzinfo=UTC)


def test_a_lesson_waits_for_the_latest_of_its_drips():
    module, own = drip.Drip(after_days=3), drip.Drip(on=date(2026, 1, 17))
    assert drip.opens_at(START, "UTC", module, own) == datetime(2026, 1, 18, 12, 0, tzinfo=UTC)
    assert drip.opens_at(START, "UTC", drip.Drip(), own) == datetime(2026, 1, 17, tzinfo=UTC)


def test_a_date_in_summer_time_starts_at_local_midnight():
    # New York is on daylight time (UTC-4) in July, standard time (UTC-5) in January.
    assert drip.Drip(on=date(2026, 7, 4)).opens_at(START, "America/New_York") == datetime(2026, 7, 4, 4, 0, tzinfo=UTC)
    assert drip.Drip(on=date(2026, 1, 20)).opens_at(START, "America/New_York") == datetime(
        2026, 1, 20, 5, 0, tzinfo=UTC
    )


def test_locked_means_strictly_before_the_opening_moment():
    opens = START + timedelta(days=1)
    assert drip.is_locked(opens, opens - timedelta(microseconds=1)) is True
    assert drip.is_locked(opens, opens) is False
    assert drip.is_locked(opens, opens + timedelta(days=1)) is False
