"""What every Membership Courses service stands on: which course an account may open, its lessons in
order with their drip, what the account finished, and recording a completion.

Every read is scoped to the account: a course opens only when it is published and the account is
enrolled in it or it is offered to everyone with the app; a lesson is looked up within that course,
and a lesson that has not unlocked yet is refused (LessonLocked), whatever asked for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.apps.courses import certificates, drip
from portal_app.apps.courses.models import Course, Enrolment, Lesson, LessonCompletion, Module
from portal_app.apps.courses.validation import is_slug
from portal_app.apps.notify import notify
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.timeline import service as activity

APP_KEY = "courses"


class LessonLocked(LookupError):
    """The lesson exists and the account may open its course, but it has not unlocked yet."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self.label = label


@dataclass(frozen=True)
class LessonLink:
    slug: str
    title: str


@dataclass(frozen=True)
class OrderedLesson:
    id: int
    slug: str
    title: str
    kind: str
    module_id: int
    module_title: str
    # When it unlocks for this account (None: open from enrolment).
    opens_at: datetime | None

    def locked(self, now: datetime) -> bool:
        return drip.is_locked(self.opens_at, now)

    @property
    def link(self) -> LessonLink:
        return LessonLink(self.slug, self.title)


def business_time_zone(session: Session) -> str:
    """The business's time zone, which dates set on drip are read in."""
    business = session.get(Business, BUSINESS_ID)
    return business.time_zone if business is not None else "UTC"


def open_course(session: Session, account_id: int, slug: object) -> tuple[Course, datetime | None]:
    """(course, when the account enrolled or None) for the course at `slug` when this account may open it:
    published, and enrolled or offered to everyone.

    Any other case (a malformed slug, no such course, a draft, not enrolled) is the same LookupError,
    so a page cannot tell a draft from a course that does not exist.
    """
    if not is_slug(slug):
        raise LookupError("not a course slug")
    row = session.exec(
        select(Course, Enrolment.enrolled_at)
        .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.account_id == account_id))
        .where(
            Course.slug == slug,
            col(Course.published).is_(True),
            or_(col(Course.for_everyone), col(Enrolment.id).is_not(None)),
        )
    ).first()
    if row is None:
        raise LookupError("no such course open to this account")
    return row[0], row[1]


def lessons_in_order(
    session: Session, starts: dict[int, datetime], time_zone: str | None = None
) -> dict[int, list[OrderedLesson]]:
    """Each course's lessons in reading order (module position, then lesson position), with when each
    unlocks for someone who started the course at `starts[course_id]`."""
    zone = time_zone if time_zone is not None else business_time_zone(session)
    rows = session.exec(
        select(
            Lesson.course_id,
            Lesson.id,
            Lesson.slug,
            Lesson.title,
            Lesson.kind,
            Lesson.unlock_after_days,
            Lesson.unlock_on,
            Module.id,
            Module.title,
            Module.unlock_after_days,
            Module.unlock_on,
        )
        .join(Module, and_(Module.id == Lesson.module_id, Module.course_id == Lesson.course_id))
        .where(col(Lesson.course_id).in_(list(starts)))
        .order_by(Lesson.course_id, Module.position, Module.id, Lesson.position, Lesson.id)
    )
    lessons: dict[int, list[OrderedLesson]] = {course_id: [] for course_id in starts}
    for course_id, lesson_id, slug, title, kind, days, on, module_id, module_title, module_days, module_on in rows:
        opens = drip.opens_at(starts[course_id], zone, drip.Drip(module_days, module_on), drip.Drip(days, on))
        lessons[course_id].append(OrderedLesson(lesson_id, slug, title, kind, module_id, module_title, opens))
    return lessons


def done_ids(session: Session, account_id: int, course_ids: Sequence[int]) -> set[int]:
    """The lessons this account finished in these courses (the account-and-course index)."""
    return set(
        session.exec(
            select(LessonCompletion.lesson_id).where(
                LessonCompletion.account_id == account_id, col(LessonCompletion.course_id).in_(course_ids)
            )
        )
    )


def percent(done: int, total: int) -> int:
    return 0 if total == 0 else done * 100 // total


def next_unfinished(
    lessons: list[OrderedLesson], done: set[int], now: datetime, after: int | None = None
) -> OrderedLesson | None:
    """The first unfinished, unlocked lesson after the lesson `after` (wrapping round), or the first at all."""
    start = next((index + 1 for index, lesson in enumerate(lessons) if lesson.id == after), 0)
    for lesson in lessons[start:] + lessons[:start]:
        if lesson.id not in done and not lesson.locked(now):
            return lesson
    return None


@dataclass(frozen=True)
class FoundLesson:
    course: Course
    lessons: list[OrderedLesson]
    index: int
    time_zone: str
    # False for a course offered to everyone that the account has not opened before (start_open_course).
    enrolled: bool

    @property
    def lesson(self) -> OrderedLesson:
        return self.lessons[self.index]


def find_lesson(session: Session, account_id: int, course_slug: object, lesson_slug: object) -> FoundLesson:
    """A lesson of a course open to the account, with its course's lessons in order.

    LookupError when the course is not open or has no such lesson (another course's included);
    LessonLocked when the lesson has not unlocked for this account yet.
    """
    course, enrolled_at = open_course(session, account_id, course_slug)
    if not is_slug(lesson_slug):
        raise LookupError("not a lesson slug")
    now = clock.now()
    zone = business_time_zone(session)
    ordered = lessons_in_order(session, {course.id: enrolled_at or now}, zone)[course.id]
    index = next((number for number, lesson in enumerate(ordered) if lesson.slug == lesson_slug), None)
    if index is None:
        raise LookupError("no such lesson in this course")
    if ordered[index].locked(now):
        raise LessonLocked(drip.unlock_label(ordered[index].opens_at, now, zone))
    return FoundLesson(course, ordered, index, zone, enrolled_at is not None)


def enrol_in(session: Session, account_id: int, course: Course, now: datetime, *, email: bool) -> bool:
    """Enrol the account in the course inside the caller's transaction; False when it already was.

    The enrolment goes on the person's timeline; with `email` (and the course published) they also get
    the "enrolled" email, unless they switched Membership Courses' emails off.
    """
    inserted = db.insert_if_absent(
        session, Enrolment, key={"account_id": account_id, "course_id": course.id}, values={"enrolled_at": now}
    )
    if inserted:
        activity.record(
            session, account_id=account_id, app_key=APP_KEY, kind="course_enrolled", summary=course.title, at=now
        )
        if email and course.published:
            notify(
                session,
                account_id,
                APP_KEY,
                "enrolled",
                {"course_title": course.title, "course_path": f"/apps/courses/{course.slug}"},
            )
    return inserted


def start_open_course(session: Session, account_id: int, course: Course, now: datetime) -> bool:
    """Enrol the account in a course offered to everyone the first time it opens it (drip counts from
    then; no email: the person is there already); False when it already was enrolled."""
    return enrol_in(session, account_id, course, now, email=False)


def lock_account(session: Session, account_id: int) -> None:
    """Serialise one person's progress writes on their account row (SQLite's BEGIN IMMEDIATE already
    does), so two tabs finishing the last two lessons at once see each other."""
    session.exec(select(Account.id).where(Account.id == account_id).with_for_update()).first()


@dataclass(frozen=True)
class Recorded:
    # False when the lesson was already done (another tab, a double click): nothing was recorded.
    newly_done: bool
    done: set[int]
    course_completed: bool
    # The certificate this completion issued, when it finished a course that has them.
    certificate_code: str | None


def record_completion(session: Session, account_id: int, found: FoundLesson, now: datetime) -> Recorded:
    """Mark the found lesson done inside the caller's transaction (which holds lock_account).

    Idempotent: only the insert that really happened goes on the timeline; the completion that
    finishes the course records "course_completed" and issues the certificate when the course has one.
    """
    course, lesson = found.course, found.lesson
    newly_done = db.insert_if_absent(
        session,
        LessonCompletion,
        key={"account_id": account_id, "lesson_id": lesson.id},
        values={"course_id": course.id, "completed_at": now},
    )
    done = done_ids(session, account_id, [course.id])
    course_completed = all(item.id in done for item in found.lessons)
    code = None
    if newly_done:
        activity.record(
            session,
            account_id=account_id,
            app_key=APP_KEY,
            kind="lesson_completed",
            summary=f"{lesson.title} ({course.title})",
            at=now,
        )
        if course_completed:
            activity.record(
                session, account_id=account_id, app_key=APP_KEY, kind="course_completed", summary=course.title, at=now
            )
            code = certificates.issue(session, account_id, course, now, found.time_zone)
    return Recorded(newly_done, done, course_completed, code)
