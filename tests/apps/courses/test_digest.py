"""The daily "lessons unlocked" digest: one email per person listing what opened since the last one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from portal_app.apps.courses import digest, service
from portal_app.apps.courses.building import LessonSpec, ModuleSpec
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.profile.models import Profile
from tests.apps.courses.support import make_course
from tests.apps.support import add_account

DRIPPED = (
    ModuleSpec("Start", (LessonSpec("intro", "Intro", "Hello."),)),
    ModuleSpec(
        "Later",
        (
            LessonSpec("day-two", "Day two", "Next.", unlock_after_days=2),
            LessonSpec("day-three", "Day three", "More.", unlock_after_days=3),
            LessonSpec("new-year", "New year", "Fresh.", unlock_on=date(2026, 2, 1)),
        ),
    ),
)


def digests() -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(
            session.exec(
                select(OutboxEmail).where(OutboxEmail.template == "courses:lessons_unlocked").order_by(OutboxEmail.id)
            )
        )


@pytest.fixture
def ada(database, frozen_clock) -> int:
    account = add_account()
    make_course(modules=DRIPPED)
    service.enrol(account, "baking")
    return account


def test_nothing_is_sent_before_anything_unlocks(ada, frozen_clock):
    assert digest.send_unlock_digests() == {"digests_sent": 0}
    frozen_clock.advance(days=1)
    assert digest.send_unlock_digests() == {"digests_sent": 0}
    assert digests() == []


def test_one_digest_per_day_lists_every_lesson_that_opened(ada, frozen_clock):
    assert digest.send_unlock_digests() == {"digests_sent": 0}  # the hourly task, at enrolment
    frozen_clock.advance(hours=10)
    make_course(
        "rye", title="Rye", modules=(ModuleSpec("M", (LessonSpec("r1", "Rye one", "x", unlock_after_days=2),)),)
    )
    service.enrol(ada, "rye")
    frozen_clock.advance(days=1, hours=15)  # 2 days and 1 hour after the first enrolment
    assert digest.send_unlock_digests() == {"digests_sent": 1}
    [first] = digests()
    assert (first.to_email, first.subject) == ("ada@example.com", "A new lesson is open")
    assert "Day two (Baking basics): http://localhost:3000/apps/courses/baking/day-two" in first.text_body
    assert "Day three" not in first.text_body and "Rye one" not in first.text_body
    # The hourly task runs again: nothing is told twice.
    frozen_clock.advance(hours=1)
    assert digest.send_unlock_digests() == {"digests_sent": 0}
    # Rye one opens 10 hours after the digest: it waits, as a digest went less than 20 hours ago...
    frozen_clock.advance(hours=9)
    assert digest.send_unlock_digests() == {"digests_sent": 0}
    # ...and goes with Day three in the next one.
    frozen_clock.advance(hours=13)
    assert digest.send_unlock_digests() == {"digests_sent": 1}
    second = digests()[1]
    assert second.subject == "2 new lessons are open"
    assert "Day three" in second.text_body and "Rye one" in second.text_body and "Day two" not in second.text_body
    assert "Rye one" in second.html_body


def test_several_unlocks_share_one_email(ada, frozen_clock):
    digest.send_unlock_digests()
    frozen_clock.advance(days=3, hours=1)
    digest.send_unlock_digests()
    [email] = digests()
    assert email.subject == "2 new lessons are open"
    assert "Day two" in email.text_body and "Day three" in email.text_body


def test_the_first_digest_looks_back_one_day_only(ada, frozen_clock):
    # Before the task ever ran for this person (a new deployment), older unlocks are not announced.
    frozen_clock.advance(days=3, hours=1)
    digest.send_unlock_digests()
    [email] = digests()
    assert "Day three" in email.text_body and "Day two" not in email.text_body


def test_a_date_in_the_business_time_zone_unlocks_at_its_midnight(ada, frozen_clock):
    frozen_clock.advance(days=16, hours=11, minutes=59)  # 31 Jan 23:59 UTC: 1 Feb has not begun
    digest.send_unlock_digests()
    assert all("New year" not in email.text_body for email in digests())
    frozen_clock.advance(days=1)
    digest.send_unlock_digests()
    assert "New year" in digests()[-1].text_body


def test_people_who_switched_course_emails_off_get_none(ada, frozen_clock):
    with db.write_session() as session:
        profile = session.get(Profile, ada) or Profile(account_id=ada, updated_at=frozen_clock.current)
        profile.email_notifications = {"courses": False}
        session.add(profile)
    frozen_clock.advance(days=3, hours=1)
    digest.send_unlock_digests()
    assert digests() == []


def test_lessons_open_from_enrolment_and_unenrolled_people_get_nothing(database, frozen_clock):
    make_course(modules=(ModuleSpec("All", (LessonSpec("a", "A", "x"), LessonSpec("b", "B", "y"))),))
    add_account("grace@example.com", "Grace Hopper")
    frozen_clock.advance(days=5)
    assert digest.send_unlock_digests() == {"digests_sent": 0}
