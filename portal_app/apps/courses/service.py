"""Membership Courses: which courses a person may open, their lessons and progress, enrolment and completion.

Services trust the account id they are given (the state has run AppAccessState._gate), but every
read and write is scoped to it: a course opens only when it is published and the account is
enrolled in it or it is offered to everyone with the app; a lesson is looked up within that course
only. Slugs from URLs and forms are checked here too. Each change goes on the person's timeline in
the transaction that makes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.apps.courses.models import (
    MAX_DESCRIPTION_LENGTH,
    MAX_LESSON_BODY_LENGTH,
    MAX_SLUG_LENGTH,
    MAX_TITLE_LENGTH,
    Course,
    Enrolment,
    Lesson,
    LessonCompletion,
    Module,
)
from portal_app.apps.registry import SummaryCard
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError
from portal_app.kernel.text import has_invisible_characters
from portal_app.timeline import service as activity

APP_KEY = "courses"
ACTIVITY_KINDS = {
    "course_enrolled": "Enrolled in a course",
    "lesson_completed": "Completed a lesson",
    "course_completed": "Completed a course",
}
# How many courses in progress the home card names.
SUMMARY_LINES = 3
_SLUG = re.compile(r"[a-z0-9-]{1,%d}" % MAX_SLUG_LENGTH)


# --- text people wrote: lesson bodies ---------------------------------------------------------------

# Markdown is turned into HTML on the server, with raw HTML switched off (it comes out as text), and
# that HTML then goes through nh3 with a strict allow-list before any browser sees it.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol",
    "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_SANITISER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def lesson_html(markdown: str) -> str:
    """A lesson's Markdown as HTML that is safe to hand to the browser as markup.

    Why this way, and not rx.markdown on the client: what is safe is decided here, in one function
    a test can feed real payloads, and does not depend on how a frontend component is configured
    (rx.markdown renders raw HTML unless use_raw=False is passed, and lets its own URL rules decide
    about links). Two layers:
    1. markdown-it renders CommonMark (plus tables and strike-through) with raw HTML off, so
       `<script>` or `<img onerror=...>` typed in a lesson becomes visible text, and it refuses
       `javascript:`, `vbscript:`, `file:` and most `data:` link targets;
    2. nh3 (ammonia) then keeps only the tags and attributes above, only http/https/mailto (or
       relative) URLs, drops every `on*` and `style` attribute and every comment, and adds
       rel="noopener noreferrer" to links. Even if the renderer let something through, this
       allow-list is what the browser gets.
    """
    return _SANITISER.clean(_MARKDOWN.render(markdown))


# --- checks on input ----------------------------------------------------------------------------------


def is_slug(value: object) -> bool:
    """Whether a value is a slug: 1-80 characters of a-z, 0-9 and '-'."""
    return isinstance(value, str) and _SLUG.fullmatch(value) is not None


def clean_slug(value: object, field: str) -> str:
    if not is_slug(value):
        raise FieldError(field, f"Use 1-{MAX_SLUG_LENGTH} lower-case letters, digits or hyphens.")
    return value


def clean_title(value: object, field: str = "title") -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError(field, "Give it a title.")
    title = value.strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise FieldError(field, f"Keep the title to {MAX_TITLE_LENGTH} characters or fewer.")
    if has_invisible_characters(title):
        raise FieldError(field, "The title contains invisible control characters. Please type it again.")
    return title


def clean_description(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError("description", "Describe the course in a few sentences, or leave it empty.")
    text = value.strip()
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise FieldError("description", f"Keep the description to {MAX_DESCRIPTION_LENGTH:,} characters or fewer.")
    if has_invisible_characters(text, allow_newlines=True):
        raise FieldError("description", "The description contains invisible control characters. Please type it again.")
    return text


def clean_lesson_body(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError("body", "Write the lesson in Markdown.")
    if len(value) > MAX_LESSON_BODY_LENGTH:
        raise FieldError("body", f"Keep a lesson to {MAX_LESSON_BODY_LENGTH:,} characters or fewer.")
    if has_invisible_characters(value.replace("\t", " "), allow_newlines=True):
        raise FieldError("body", "The lesson contains invisible control characters. Please paste it again.")
    return value


# --- building courses (demo data and tests; the owner's builder comes later) ---------------------------


@dataclass(frozen=True)
class LessonSpec:
    slug: str
    title: str
    body_markdown: str


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    lessons: tuple[LessonSpec, ...]


def create_course(
    session: Session,
    *,
    slug: object,
    title: object,
    description: str = "",
    published: bool,
    for_everyone: bool = False,
    position: int = 0,
    modules: Sequence[ModuleSpec] = (),
) -> Course:
    """Add a course with its modules and lessons, in order, inside the caller's transaction.

    Raises FieldError for a bad or taken slug, an empty or over-long title, or an over-long lesson
    (nothing is added: the caller's transaction rolls back).
    """
    course_slug = clean_slug(slug, "slug")
    if session.exec(select(Course.id).where(Course.slug == course_slug)).first() is not None:
        raise FieldError("slug", f"Another course already uses the address {course_slug}.")
    course = Course(
        slug=course_slug,
        title=clean_title(title),
        description=clean_description(description),
        published=published,
        for_everyone=for_everyone,
        position=position,
        created_at=clock.now(),
    )
    session.add(course)
    session.flush()
    lesson_slugs: set[str] = set()
    for module_position, spec in enumerate(modules):
        module = Module(course_id=course.id, title=clean_title(spec.title), position=module_position)
        session.add(module)
        session.flush()
        for lesson_position, lesson in enumerate(spec.lessons):
            lesson_slug = clean_slug(lesson.slug, "lesson_slug")
            if lesson_slug in lesson_slugs:
                raise FieldError("lesson_slug", f"Two lessons of this course use the address {lesson_slug}.")
            lesson_slugs.add(lesson_slug)
            session.add(
                Lesson(
                    course_id=course.id,
                    module_id=module.id,
                    slug=lesson_slug,
                    title=clean_title(lesson.title),
                    body_markdown=clean_lesson_body(lesson.body_markdown),
                    position=lesson_position,
                )
            )
    session.flush()
    return course


# --- who may open what ----------------------------------------------------------------------------------


def _open_course(session: Session, account_id: int, slug: object) -> Course:
    """The course at `slug` when this account may open it: published, and enrolled or offered to everyone.

    Any other case (a malformed slug, no such course, a draft, not enrolled) is the same LookupError,
    so a page cannot tell a draft from a course that does not exist.
    """
    if not is_slug(slug):
        raise LookupError("not a course slug")
    enrolled = select(Enrolment.id).where(Enrolment.account_id == account_id, Enrolment.course_id == Course.id)
    course = session.exec(
        select(Course).where(
            Course.slug == slug, col(Course.published).is_(True), or_(col(Course.for_everyone), enrolled.exists())
        )
    ).first()
    if course is None:
        raise LookupError("no such course open to this account")
    return course


@dataclass(frozen=True)
class OrderedLesson:
    id: int
    slug: str
    title: str
    module_id: int
    module_title: str


def _lessons_in_order(session: Session, course_ids: Sequence[int]) -> dict[int, list[OrderedLesson]]:
    """Each course's lessons in reading order: by module position, then lesson position."""
    rows = session.exec(
        select(Lesson.course_id, Lesson.id, Lesson.slug, Lesson.title, Module.id, Module.title)
        .join(Module, and_(Module.id == Lesson.module_id, Module.course_id == Lesson.course_id))
        .where(col(Lesson.course_id).in_(course_ids))
        .order_by(Lesson.course_id, Module.position, Module.id, Lesson.position, Lesson.id)
    )
    lessons: dict[int, list[OrderedLesson]] = {course_id: [] for course_id in course_ids}
    for course_id, lesson_id, slug, title, module_id, module_title in rows:
        lessons[course_id].append(OrderedLesson(lesson_id, slug, title, module_id, module_title))
    return lessons


def _done_ids(session: Session, account_id: int, course_ids: Sequence[int]) -> set[int]:
    """The lessons this account finished in these courses (the account-and-course index)."""
    return set(
        session.exec(
            select(LessonCompletion.lesson_id).where(
                LessonCompletion.account_id == account_id, col(LessonCompletion.course_id).in_(course_ids)
            )
        )
    )


def _percent(done: int, total: int) -> int:
    return 0 if total == 0 else done * 100 // total


def _next_unfinished(lessons: list[OrderedLesson], done: set[int], after: int | None = None) -> OrderedLesson | None:
    """The first unfinished lesson after the lesson `after` (wrapping round), or the first one at all."""
    start = next((index + 1 for index, lesson in enumerate(lessons) if lesson.id == after), 0)
    for lesson in lessons[start:] + lessons[:start]:
        if lesson.id not in done:
            return lesson
    return None


# --- My courses, the home card --------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonLink:
    slug: str
    title: str


@dataclass(frozen=True)
class CourseCard:
    slug: str
    title: str
    description: str
    enrolled: bool
    lessons_total: int
    lessons_done: int
    percent: int
    # The lesson Start/Resume opens: the first unfinished one (None once every lesson is done).
    next_lesson: LessonLink | None

    @property
    def completed(self) -> bool:
        return self.lessons_total > 0 and self.lessons_done == self.lessons_total


def my_courses(account_id: int) -> list[CourseCard]:
    """The published courses the account is enrolled in, then those offered to everyone, with progress."""
    with db.read_session() as session:
        rows = session.exec(
            select(Course, Enrolment.id)
            .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.account_id == account_id))
            .where(col(Course.published).is_(True), or_(col(Enrolment.id).is_not(None), col(Course.for_everyone)))
            .order_by(col(Enrolment.id).is_(None), Course.position, Course.id)
        ).all()
        course_ids = [course.id for course, _ in rows]
        lessons = _lessons_in_order(session, course_ids)
        done = _done_ids(session, account_id, course_ids)
    cards = []
    for course, enrolment_id in rows:
        ordered = lessons[course.id]
        finished = sum(1 for lesson in ordered if lesson.id in done)
        upcoming = _next_unfinished(ordered, done)
        cards.append(
            CourseCard(
                slug=course.slug,
                title=course.title,
                description=course.description,
                enrolled=enrolment_id is not None,
                lessons_total=len(ordered),
                lessons_done=finished,
                percent=_percent(finished, len(ordered)),
                next_lesson=LessonLink(upcoming.slug, upcoming.title) if upcoming else None,
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
    details = tuple(f"{card.title}: {card.percent}% done" for card in in_progress[:SUMMARY_LINES])
    if completed:
        details += (f"{_plural(completed, 'course')} completed",)
    return SummaryCard(
        headline=f"{_plural(len(in_progress), 'course')} in progress", details=details, count=len(in_progress)
    )


# --- a course's outline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutlineLesson:
    slug: str
    title: str
    done: bool
    is_next: bool


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

    @property
    def completed(self) -> bool:
        return self.lessons_total > 0 and self.lessons_done == self.lessons_total


def course_outline(account_id: int, slug: object) -> CourseOutline:
    """A course's modules and lessons in order, each done or next, with overall progress.

    LookupError unless the course is published and open to the account (enrolled, or for everyone).
    """
    with db.read_session() as session:
        course = _open_course(session, account_id, slug)
        ordered = _lessons_in_order(session, [course.id])[course.id]
        module_titles = dict(
            session.exec(
                select(Module.id, Module.title)
                .where(Module.course_id == course.id)
                .order_by(Module.position, Module.id)
            ).all()
        )
        done = _done_ids(session, account_id, [course.id])
    upcoming = _next_unfinished(ordered, done)
    by_module: dict[int, list[OutlineLesson]] = {module_id: [] for module_id in module_titles}
    for lesson in ordered:
        by_module[lesson.module_id].append(
            OutlineLesson(
                lesson.slug, lesson.title, lesson.id in done, upcoming is not None and lesson.id == upcoming.id
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
        percent=_percent(finished, len(ordered)),
        next_lesson=LessonLink(upcoming.slug, upcoming.title) if upcoming else None,
    )


# --- one lesson -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonView:
    course_slug: str
    course_title: str
    slug: str
    title: str
    module_title: str
    # Sanitised HTML (lesson_html): the only form in which the body leaves the service.
    body_html: str
    done: bool
    number: int
    lessons_total: int
    previous: LessonLink | None
    next: LessonLink | None


def _find_lesson(session: Session, account_id: int, course_slug: object, lesson_slug: object):
    """(course, its lessons in order, the lesson's index) for a lesson of a course open to the account."""
    course = _open_course(session, account_id, course_slug)
    if not is_slug(lesson_slug):
        raise LookupError("not a lesson slug")
    ordered = _lessons_in_order(session, [course.id])[course.id]
    index = next((number for number, lesson in enumerate(ordered) if lesson.slug == lesson_slug), None)
    if index is None:
        raise LookupError("no such lesson in this course")
    return course, ordered, index


def lesson_view(account_id: int, course_slug: object, lesson_slug: object) -> LessonView:
    """One lesson of a course open to the account, with its neighbours; LookupError otherwise
    (a lesson slug of another course included)."""
    with db.read_session() as session:
        course, ordered, index = _find_lesson(session, account_id, course_slug, lesson_slug)
        lesson = ordered[index]
        body = session.exec(select(Lesson.body_markdown).where(Lesson.id == lesson.id)).one()
        done = lesson.id in _done_ids(session, account_id, [course.id])
    before = ordered[index - 1] if index > 0 else None
    after = ordered[index + 1] if index + 1 < len(ordered) else None
    return LessonView(
        course_slug=course.slug,
        course_title=course.title,
        slug=lesson.slug,
        title=lesson.title,
        module_title=lesson.module_title,
        body_html=lesson_html(body),
        done=done,
        number=index + 1,
        lessons_total=len(ordered),
        previous=LessonLink(before.slug, before.title) if before else None,
        next=LessonLink(after.slug, after.title) if after else None,
    )


@dataclass(frozen=True)
class Completion:
    # False when the lesson was already done (another tab, a double click): nothing was recorded.
    newly_done: bool
    course_completed: bool
    percent: int
    # "Up next": the next unfinished lesson after this one (None when the course is done).
    up_next: LessonLink | None


def complete_lesson(account_id: int, course_slug: object, lesson_slug: object) -> Completion:
    """Mark a lesson done for the account. Idempotent: two tabs (or threads) marking it count once,
    and only the insert that really happened goes on the timeline; "course_completed" is recorded
    by the completion that finishes the course. LookupError when the lesson is not open to the account.
    """
    with db.write_session() as session:
        # One person's completions are serialised on their account row (SQLite's BEGIN IMMEDIATE already
        # is), so two tabs finishing the last two lessons at once see each other and one of them
        # records the course as completed.
        session.exec(select(Account.id).where(Account.id == account_id).with_for_update()).first()
        course, ordered, index = _find_lesson(session, account_id, course_slug, lesson_slug)
        lesson = ordered[index]
        now = clock.now()
        newly_done = db.insert_if_absent(
            session,
            LessonCompletion,
            key={"account_id": account_id, "lesson_id": lesson.id},
            values={"course_id": course.id, "completed_at": now},
        )
        done = _done_ids(session, account_id, [course.id])
        finished = len(done)
        course_completed = finished == len(ordered)
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
                    session,
                    account_id=account_id,
                    app_key=APP_KEY,
                    kind="course_completed",
                    summary=course.title,
                    at=now,
                )
    upcoming = _next_unfinished(ordered, done, after=lesson.id)
    return Completion(
        newly_done=newly_done,
        course_completed=course_completed,
        percent=_percent(finished, len(ordered)),
        up_next=LessonLink(upcoming.slug, upcoming.title) if upcoming else None,
    )


# --- enrolment ------------------------------------------------------------------------------------------


def enrol(account_id: int, slug: object) -> bool:
    """Enrol the account in the course at `slug` (published or still a draft); False when it already was.

    FieldError("course") for a malformed slug; LookupError when there is no such course or account.
    """
    course_slug = clean_slug(slug, "course")
    with db.write_session() as session:
        course = session.exec(select(Course).where(Course.slug == course_slug)).first()
        if course is None:
            raise LookupError(f"there is no course {course_slug}")
        if session.get(Account, account_id) is None:
            raise LookupError(f"there is no account {account_id}")
        now = clock.now()
        inserted = db.insert_if_absent(
            session, Enrolment, key={"account_id": account_id, "course_id": course.id}, values={"enrolled_at": now}
        )
        if inserted:
            activity.record(
                session, account_id=account_id, app_key=APP_KEY, kind="course_enrolled", summary=course.title, at=now
            )
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
    return {
        "enrolments": [{"course": slug, "title": title, "enrolled_at": _iso(at)} for slug, title, at in enrolments],
        "completed_lessons": [
            {"course": course, "lesson": lesson, "title": title, "completed_at": _iso(at)}
            for course, lesson, title, at in completions
        ],
    }


def lessons_in_order(session: Session, course_id: int) -> list[OrderedLesson]:
    """A course's lessons in reading order, inside the caller's session (demo data uses it)."""
    return _lessons_in_order(session, [course_id])[course_id]
