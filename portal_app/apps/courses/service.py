"""Membership Courses as a member sees it: My courses, a course's outline, a lesson, completing it,
enrolment, the home card and the person's export.

Services trust the account id they are given (the state has run AppAccessState._gate), and every
read and write is scoped to it (progress.py decides what the account may open, drip included).
Each change goes on the person's timeline in the transaction that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import col, select

from portal_app.accounts.models import Account
from portal_app.apps.courses import certificates, drip, file_links, quizzes
from portal_app.apps.courses.models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonCompletion,
    Module,
    QuizAttempt,
)
from portal_app.apps.courses.progress import (
    APP_KEY,
    LessonLink,
    LessonLocked,
    business_time_zone,
    done_ids,
    enrol_in,
    find_lesson,
    lessons_in_order,
    lock_account,
    next_unfinished,
    open_course,
    percent,
    record_completion,
    start_open_course,
)
from portal_app.apps.courses.validation import clean_slug
from portal_app.apps.courses.video import embed_url
from portal_app.apps.markdown import safe_html
from portal_app.apps.registry import SummaryCard, SummaryLink
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError

__all__ = ["APP_KEY", "LessonLink", "LessonLocked"]

ACTIVITY_KINDS = {
    "course_enrolled": "Enrolled in a course",
    "lesson_completed": "Completed a lesson",
    "quiz_passed": "Passed a quiz",
    "course_completed": "Completed a course",
    "certificate_issued": "Certificate issued",
}
# How many courses in progress the home card names.
SUMMARY_LINES = 3


# --- My courses, the home card --------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseCard:
    slug: str
    title: str
    description: str
    enrolled: bool
    lessons_total: int
    lessons_done: int
    percent: int
    # The lesson Start/Resume opens: the first unfinished unlocked one (None when there is none).
    next_lesson: LessonLink | None
    # The certificate of a completed course that has them.
    certificate_code: str | None = None
    # The cover image's address ("" for none).
    cover_url: str = ""

    @property
    def completed(self) -> bool:
        return self.lessons_total > 0 and self.lessons_done == self.lessons_total


def my_courses(account_id: int) -> list[CourseCard]:
    """The published courses the account is enrolled in, then those offered to everyone, with progress."""
    now = clock.now()
    with db.read_session() as session:
        rows = session.exec(
            select(Course, Enrolment.enrolled_at, Certificate.code)
            .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.account_id == account_id))
            .outerjoin(Certificate, and_(Certificate.course_id == Course.id, Certificate.account_id == account_id))
            .where(col(Course.published).is_(True), or_(col(Enrolment.id).is_not(None), col(Course.for_everyone)))
            .order_by(col(Enrolment.id).is_(None), Course.position, Course.id)
        ).all()
        starts = {course.id: enrolled_at or now for course, enrolled_at, _ in rows}
        lessons = lessons_in_order(session, starts) if rows else {}
        done = done_ids(session, account_id, list(starts)) if rows else set()
    cards = []
    for course, enrolled_at, code in rows:
        ordered = lessons[course.id]
        finished = sum(1 for lesson in ordered if lesson.id in done)
        upcoming = next_unfinished(ordered, done, now)
        cards.append(
            CourseCard(
                slug=course.slug,
                title=course.title,
                description=course.description,
                enrolled=enrolled_at is not None,
                lessons_total=len(ordered),
                lessons_done=finished,
                percent=percent(finished, len(ordered)),
                next_lesson=upcoming.link if upcoming else None,
                certificate_code=code,
                cover_url=file_links.cover_url(course.cover_file),
            )
        )
    return cards


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(account_id: int) -> SummaryCard:
    """Home's card, from the app's own tables: the courses in progress and how far along each is."""
    cards = my_courses(account_id)
    if not cards:
        return SummaryCard(headline="No courses yet", details=("Courses you are enrolled in appear here.",))
    in_progress = [card for card in cards if card.lessons_done > 0 and not card.completed]
    completed = sum(1 for card in cards if card.completed)
    if not in_progress:
        if completed:
            return SummaryCard(headline=f"{_plural(completed, 'course')} completed", count=completed)
        return SummaryCard(
            headline=f"{_plural(len(cards), 'course')} to start",
            details=tuple(card.title for card in cards[:SUMMARY_LINES]),
            count=len(cards),
        )
    shown = in_progress[:SUMMARY_LINES]
    details = tuple(f"{card.title}: {card.percent}% done" for card in shown)
    if completed:
        details += (f"{_plural(completed, 'course')} completed",)
    links = tuple(
        SummaryLink(f"Resume: {card.title}", f"/apps/courses/{card.slug}/{card.next_lesson.slug}")
        for card in shown
        if card.next_lesson is not None
    )
    return SummaryCard(
        headline=f"{_plural(len(in_progress), 'course')} in progress",
        details=details,
        count=len(in_progress),
        links=links,
    )


def my_certificates(account_id: int) -> list[certificates.MyCertificate]:
    """The account's certificates, newest first."""
    with db.read_session() as session:
        return certificates.my_certificates(session, account_id)


# --- a course's outline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutlineLesson:
    slug: str
    title: str
    kind: str
    done: bool
    is_next: bool
    # "Unlocks 3 Dec, in 4 days" while it is locked, else "".
    locked_label: str


@dataclass(frozen=True)
class OutlineModule:
    title: str
    lessons: tuple[OutlineLesson, ...]


@dataclass(frozen=True)
class CourseOutline:
    slug: str
    title: str
    description: str
    modules: tuple[OutlineModule, ...]
    lessons_total: int
    lessons_done: int
    percent: int
    next_lesson: LessonLink | None
    certificate_code: str | None = None

    @property
    def completed(self) -> bool:
        return self.lessons_total > 0 and self.lessons_done == self.lessons_total


def _start(account_id: int, course: Course) -> None:
    """The first open of a course offered to everyone enrols the account (drip counts from now)."""
    with db.write_session() as session:
        start_open_course(session, account_id, course, clock.now())


def course_outline(account_id: int, slug: object) -> CourseOutline:
    """A course's modules and lessons in order, each done, next or locked, with overall progress.

    LookupError unless the course is published and open to the account (enrolled, or for everyone).
    """
    now = clock.now()
    with db.read_session() as session:
        course, enrolled_at = open_course(session, account_id, slug)
        zone = business_time_zone(session)
        ordered = lessons_in_order(session, {course.id: enrolled_at or now}, zone)[course.id]
        module_titles = dict(
            session.exec(
                select(Module.id, Module.title)
                .where(Module.course_id == course.id)
                .order_by(Module.position, Module.id)
            ).all()
        )
        done = done_ids(session, account_id, [course.id])
        code = session.exec(
            select(Certificate.code).where(Certificate.account_id == account_id, Certificate.course_id == course.id)
        ).first()
    if enrolled_at is None:
        _start(account_id, course)
    upcoming = next_unfinished(ordered, done, now)
    by_module: dict[int, list[OutlineLesson]] = {module_id: [] for module_id in module_titles}
    for lesson in ordered:
        by_module[lesson.module_id].append(
            OutlineLesson(
                slug=lesson.slug,
                title=lesson.title,
                kind=lesson.kind,
                done=lesson.id in done,
                is_next=upcoming is not None and lesson.id == upcoming.id,
                locked_label=drip.unlock_label(lesson.opens_at, now, zone),
            )
        )
    finished = sum(1 for lesson in ordered if lesson.id in done)
    return CourseOutline(
        slug=course.slug,
        title=course.title,
        description=course.description,
        modules=tuple(OutlineModule(module_titles[key], tuple(items)) for key, items in by_module.items()),
        lessons_total=len(ordered),
        lessons_done=finished,
        percent=percent(finished, len(ordered)),
        next_lesson=upcoming.link if upcoming else None,
        certificate_code=code,
    )


# --- one lesson -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonView:
    course_slug: str
    course_title: str
    slug: str
    title: str
    kind: str
    module_title: str
    # Sanitised HTML (lesson_html): the only form in which the body leaves the service.
    body_html: str
    # The embed address (YouTube no-cookie or Vimeo player) built from the video's id, or "".
    video_embed_url: str
    done: bool
    number: int
    lessons_total: int
    previous: LessonLink | None
    next: LessonLink | None
    # For a quiz: its questions (without the right answers) and this account's attempts.
    quiz: quizzes.QuizView | None = None
    # The uploaded video's address (when there is no YouTube or Vimeo one), or "".
    video_file_url: str = ""
    attachments: tuple[file_links.AttachmentLink, ...] = ()


def lesson_view(account_id: int, course_slug: object, lesson_slug: object) -> LessonView:
    """One lesson of a course open to the account, with its neighbours.

    LookupError otherwise (a lesson slug of another course included); LessonLocked before it unlocks.
    """
    with db.read_session() as session:
        found = find_lesson(session, account_id, course_slug, lesson_slug)
        lesson = session.get(Lesson, found.lesson.id)
        done = lesson.id in done_ids(session, account_id, [found.course.id])
        quiz = quizzes.quiz_view(session, account_id, lesson.id) if lesson.kind == "quiz" else None
        attachments = file_links.attachment_links(session, lesson.id)
    if not found.enrolled:
        _start(account_id, found.course)
    ordered, index = found.lessons, found.index
    before = ordered[index - 1] if index > 0 else None
    after = ordered[index + 1] if index + 1 < len(ordered) else None
    return LessonView(
        course_slug=found.course.slug,
        course_title=found.course.title,
        slug=lesson.slug,
        title=lesson.title,
        kind=lesson.kind,
        module_title=found.lesson.module_title,
        body_html=safe_html(lesson.body_markdown),
        video_embed_url=embed_url(lesson.video_url) or "",
        video_file_url=file_links.video_url(lesson.id) if lesson.video_file and not lesson.video_url else "",
        attachments=attachments,
        done=done,
        number=index + 1,
        lessons_total=len(ordered),
        previous=before.link if before else None,
        next=after.link if after else None,
        quiz=quiz,
    )


@dataclass(frozen=True)
class Completion:
    # False when the lesson was already done (another tab, a double click): nothing was recorded.
    newly_done: bool
    course_completed: bool
    percent: int
    # "Up next": the next unfinished, unlocked lesson after this one (None when there is none).
    up_next: LessonLink | None
    certificate_code: str | None = None


def complete_lesson(account_id: int, course_slug: object, lesson_slug: object) -> Completion:
    """Mark a lesson done for the account. Idempotent: two tabs (or threads) marking it count once.

    LookupError when the lesson is not open to the account (LessonLocked before it unlocks);
    FieldError("lesson") for a quiz, which is completed by passing it.
    """
    with db.write_session() as session:
        lock_account(session, account_id)
        found = find_lesson(session, account_id, course_slug, lesson_slug)
        if found.lesson.kind == "quiz":
            raise FieldError("lesson", "Pass the quiz to complete this lesson.")
        now = clock.now()
        if not found.enrolled:
            start_open_course(session, account_id, found.course, now)
        recorded = record_completion(session, account_id, found, now)
    upcoming = next_unfinished(found.lessons, recorded.done, now, after=found.lesson.id)
    return Completion(
        newly_done=recorded.newly_done,
        course_completed=recorded.course_completed,
        percent=percent(len(recorded.done), len(found.lessons)),
        up_next=upcoming.link if upcoming else None,
        certificate_code=recorded.certificate_code,
    )


def submit_quiz(account_id: int, course_slug: object, lesson_slug: object, answers: object) -> quizzes.QuizSubmitted:
    """See quizzes.submit_quiz (a course offered to everyone is started by its first attempt)."""
    return quizzes.submit_quiz(account_id, course_slug, lesson_slug, answers)


# --- enrolment ------------------------------------------------------------------------------------------


def enrol(account_id: int, slug: object) -> bool:
    """Enrol the account in the course at `slug` (published or still a draft); False when it already was.

    The person gets the "enrolled" email (unless they switched Membership Courses' emails off) when
    the course is published. FieldError("course") for a malformed slug; LookupError when there is no
    such course or account.
    """
    course_slug = clean_slug(slug, "course")
    with db.write_session() as session:
        course = session.exec(select(Course).where(Course.slug == course_slug)).first()
        if course is None:
            raise LookupError(f"there is no course {course_slug}")
        if session.get(Account, account_id) is None:
            raise LookupError(f"there is no account {account_id}")
        inserted = enrol_in(session, account_id, course, clock.now(), email=True)
    return inserted


@dataclass(frozen=True)
class CourseListing:
    """One course as an operator sees it (`portal courses list`)."""

    slug: str
    title: str
    published: bool
    for_everyone: bool
    lessons: int
    enrolled: int


def all_courses() -> list[CourseListing]:
    with db.read_session() as session:
        courses = session.exec(select(Course).order_by(Course.position, Course.id)).all()
        lessons = dict(session.exec(select(Lesson.course_id, func.count()).group_by(Lesson.course_id)).all())
        enrolled = dict(session.exec(select(Enrolment.course_id, func.count()).group_by(Enrolment.course_id)).all())
    return [
        CourseListing(
            course.slug,
            course.title,
            course.published,
            course.for_everyone,
            lessons.get(course.id, 0),
            enrolled.get(course.id, 0),
        )
        for course in courses
    ]


# --- export and demo data -------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def export(account_id: int) -> dict[str, object]:
    """Everything Membership Courses holds about the account (the export hook): enrolments and completed lessons."""
    with db.read_session() as session:
        enrolments = session.exec(
            select(Course.slug, Course.title, Enrolment.enrolled_at)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(Enrolment.account_id == account_id)
            .order_by(Enrolment.enrolled_at, Enrolment.id)
        ).all()
        completions = session.exec(
            select(Course.slug, Lesson.slug, Lesson.title, LessonCompletion.completed_at)
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
            .join(Course, Course.id == LessonCompletion.course_id)
            .where(LessonCompletion.account_id == account_id)
            .order_by(LessonCompletion.completed_at, LessonCompletion.id)
        ).all()
        attempts = session.exec(
            select(Course.slug, Lesson.slug, QuizAttempt.score_percent, QuizAttempt.passed, QuizAttempt.submitted_at)
            .join(Lesson, Lesson.id == QuizAttempt.lesson_id)
            .join(Course, Course.id == QuizAttempt.course_id)
            .where(QuizAttempt.account_id == account_id)
            .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
        ).all()
        issued = session.exec(
            select(Certificate).where(Certificate.account_id == account_id).order_by(Certificate.issued_at)
        ).all()
    return {
        "enrolments": [{"course": slug, "title": title, "enrolled_at": _iso(at)} for slug, title, at in enrolments],
        "completed_lessons": [
            {"course": course, "lesson": lesson, "title": title, "completed_at": _iso(at)}
            for course, lesson, title, at in completions
        ],
        "quiz_attempts": [
            {"course": course, "lesson": lesson, "score_percent": score, "passed": passed, "submitted_at": _iso(at)}
            for course, lesson, score, passed, at in attempts
        ],
        "certificates": [
            {
                "code": row.code,
                "course": row.course_title,
                "name": row.recipient_name,
                "business": row.business_name,
                "issued_at": _iso(row.issued_at),
            }
            for row in issued
        ],
    }
