"""The owner's course builder: courses, their modules and lessons (text, video, drip, quizzes), in order.

Staff use it from /admin/apps/courses and instructors (the app's "instructor" role) from
/apps/courses/teach; both pass an audit Actor and every change is written to the audit log in its
own transaction. Every value goes through the checks in validation.py and video.py; a refused form
raises FormErrors with a message per field and changes nothing. Courses are found by slug, modules
and lessons by id *within that course*, so an id from another course is refused like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from portal_app.apps import audit, fields, files
from portal_app.apps.courses import file_links
from portal_app.apps.courses.building import add_questions
from portal_app.apps.courses.models import (
    MAX_SLUG_LENGTH,
    Course,
    Enrolment,
    Lesson,
    LessonAttachment,
    Module,
    QuizChoice,
    QuizQuestion,
)
from portal_app.apps.courses.progress import APP_KEY
from portal_app.apps.courses.quiz_text import parse_quiz, quiz_as_text
from portal_app.apps.courses.validation import (
    RESERVED_COURSE_SLUGS,
    clean_attempts,
    clean_course_slug,
    clean_description,
    clean_kind,
    clean_lesson_body,
    clean_percent,
    clean_slug,
    clean_title,
    clean_unlock_after_days,
    clean_unlock_on,
    is_slug,
)
from portal_app.apps.courses.video import clean_video_url
from portal_app.apps.markdown import safe_html
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors

Actor = audit.Actor
UP, DOWN = "up", "down"


def slug_from_title(title: str) -> str:
    """A URL slug from a title: "Bread & Butter 101" -> "bread-butter-101" (accents dropped)."""
    return fields.slug_from(title)


def _collect(checks: dict[str, object]) -> dict[str, object]:
    """Run each field's check (a callable); FormErrors with every refused field's message at once."""
    values, errors = {}, {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except FieldError as error:
            errors[error.field if error.field in checks else field] = error.message
    if errors:
        raise FormErrors(errors)
    return values


def _flag(value: object) -> bool:
    return value is True or value == "on"


def course_by_slug(session: Session, slug: object, *, lock: bool = False) -> Course:
    """The course at `slug`; with lock=True its row is locked for the transaction, so two editors of one
    course (slugs, positions) take turns on PostgreSQL as they do on SQLite."""
    if not is_slug(slug):
        raise LookupError("not a course slug")
    statement = select(Course).where(Course.slug == slug)
    course = session.exec(statement.with_for_update() if lock else statement).first()
    if course is None:
        raise LookupError("no such course")
    return course


def _module(session: Session, course: Course, module_id: object) -> Module:
    if not db.is_row_id(module_id):
        raise LookupError("not a module id")
    module = session.get(Module, module_id)
    if module is None or module.course_id != course.id:
        raise LookupError("no such module in this course")
    return module


def lesson_by_slug(session: Session, course: Course, lesson_slug: object) -> Lesson:
    if not is_slug(lesson_slug):
        raise LookupError("not a lesson slug")
    lesson = session.exec(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == lesson_slug)).first()
    if lesson is None:
        raise LookupError("no such lesson in this course")
    return lesson


def _free_slug(session: Session, wanted: str, taken_by=None) -> bool:
    other = session.exec(select(Course.id).where(Course.slug == wanted)).first()
    return other is None or other == taken_by


# --- reading, for the builder's pages --------------------------------------------------------------------


@dataclass(frozen=True)
class CourseRow:
    slug: str
    title: str
    published: bool
    lessons: int
    enrolled: int


def list_courses() -> list[CourseRow]:
    """Every course, drafts included, in the order members see them."""
    with db.read_session() as session:
        courses = session.exec(select(Course).order_by(Course.position, Course.id)).all()
        lessons = dict(session.exec(select(Lesson.course_id, func.count()).group_by(Lesson.course_id)).all())
        enrolled = dict(session.exec(select(Enrolment.course_id, func.count()).group_by(Enrolment.course_id)).all())
    return [CourseRow(c.slug, c.title, c.published, lessons.get(c.id, 0), enrolled.get(c.id, 0)) for c in courses]


@dataclass(frozen=True)
class LessonItem:
    id: int
    slug: str
    title: str
    kind: str
    unlock_after_days: int | None
    unlock_on: date | None


@dataclass(frozen=True)
class ModuleItem:
    id: int
    title: str
    unlock_after_days: int | None
    unlock_on: date | None
    lessons: tuple[LessonItem, ...]


@dataclass(frozen=True)
class CourseDraft:
    slug: str
    title: str
    description: str
    published: bool
    for_everyone: bool
    certificate_enabled: bool
    modules: tuple[ModuleItem, ...]
    cover_url: str = ""


def course_for_editing(slug: object) -> CourseDraft:
    """A course with its modules and lessons in order, drafts included; LookupError when there is none."""
    with db.read_session() as session:
        course = course_by_slug(session, slug)
        modules = session.exec(
            select(Module).where(Module.course_id == course.id).order_by(Module.position, Module.id)
        ).all()
        lessons = session.exec(
            select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position, Lesson.id)
        ).all()
    by_module: dict[int, list[LessonItem]] = {module.id: [] for module in modules}
    for lesson in lessons:
        by_module[lesson.module_id].append(
            LessonItem(lesson.id, lesson.slug, lesson.title, lesson.kind, lesson.unlock_after_days, lesson.unlock_on)
        )
    return CourseDraft(
        slug=course.slug,
        title=course.title,
        description=course.description,
        published=course.published,
        for_everyone=course.for_everyone,
        certificate_enabled=course.certificate_enabled,
        cover_url=file_links.cover_url(course.cover_file),
        modules=tuple(
            ModuleItem(m.id, m.title, m.unlock_after_days, m.unlock_on, tuple(by_module[m.id])) for m in modules
        ),
    )


@dataclass(frozen=True)
class LessonDraft:
    course_slug: str
    course_title: str
    slug: str
    title: str
    kind: str
    body_markdown: str
    video_url: str
    unlock_after_days: int | None
    unlock_on: date | None
    pass_percent: int
    max_attempts: int
    show_answers: bool
    # The quiz in the text format of quiz_text.py ("" for a lesson that is not a quiz).
    quiz_text: str
    attachments: tuple[file_links.AttachmentLink, ...] = ()
    # The uploaded video's address ("" for none).
    video_file_url: str = ""


def lesson_for_editing(course_slug: object, lesson_slug: object) -> LessonDraft:
    with db.read_session() as session:
        course = course_by_slug(session, course_slug)
        lesson = lesson_by_slug(session, course, lesson_slug)
        questions = session.exec(
            select(QuizQuestion)
            .where(QuizQuestion.lesson_id == lesson.id)
            .order_by(QuizQuestion.position, QuizQuestion.id)
        ).all()
        choices: dict[int, list[tuple[str, bool]]] = {question.id: [] for question in questions}
        for choice in session.exec(
            select(QuizChoice)
            .where(col(QuizChoice.question_id).in_(list(choices)))
            .order_by(QuizChoice.position, QuizChoice.id)
        ):
            choices[choice.question_id].append((choice.text, choice.correct))
        attachments = file_links.attachment_links(session, lesson.id)
    return LessonDraft(
        course_slug=course.slug,
        course_title=course.title,
        slug=lesson.slug,
        title=lesson.title,
        kind=lesson.kind,
        body_markdown=lesson.body_markdown,
        video_url=lesson.video_url,
        unlock_after_days=lesson.unlock_after_days,
        unlock_on=lesson.unlock_on,
        pass_percent=lesson.pass_percent,
        max_attempts=lesson.max_attempts,
        show_answers=lesson.show_answers,
        quiz_text=quiz_as_text([(q.prompt, q.multiple, choices[q.id]) for q in questions]),
        attachments=attachments,
        video_file_url=file_links.video_url(lesson.id) if lesson.video_file else "",
    )


def preview(markdown: object) -> str:
    """The lesson text exactly as members will see it (the same sanitiser); FieldError("body") when too long."""
    return safe_html(clean_lesson_body(markdown))


# --- files that go with what is deleted --------------------------------------------------------------------


def stored_names_of_courses(session: Session, course_ids: list[int]) -> list[str]:
    """Every file of these courses (covers, videos, attachments): what to remove once they are deleted."""
    names = [name for name in session.exec(select(Course.cover_file).where(col(Course.id).in_(course_ids))) if name]
    return names + _lesson_files(session, select(Lesson.id).where(col(Lesson.course_id).in_(course_ids)))


def stored_names_of_lessons(session: Session, lesson_ids: list[int]) -> list[str]:
    return _lesson_files(session, select(Lesson.id).where(col(Lesson.id).in_(lesson_ids)))


def _lesson_files(session: Session, lesson_ids) -> list[str]:
    videos = [name for name in session.exec(select(Lesson.video_file).where(col(Lesson.id).in_(lesson_ids))) if name]
    attached = list(
        session.exec(select(LessonAttachment.stored_name).where(col(LessonAttachment.lesson_id).in_(lesson_ids)))
    )
    return videos + attached


def _remove_stored(names: list[str]) -> None:
    """Remove files from disk once the deletion that dropped them has committed."""
    for name in names:
        files.remove(APP_KEY, name)


# --- courses ---------------------------------------------------------------------------------------------


def _with_suffix(base: str, number: int) -> str:
    suffix = f"-{number}"
    return base[: MAX_SLUG_LENGTH - len(suffix)] + suffix


def _slug_taken_race(slug: str) -> FormErrors:
    """Another owner took the address between our check and our write (the unique index caught it)."""
    return FormErrors({"slug": f"Another course already uses the address {slug}. Try again or choose another."})


def create_course(actor: Actor, *, title: object, slug: object = "") -> str:
    """A new draft course with one empty module; its slug.

    Without a slug one is made from the title, with "-2", "-3"... when taken (or reserved); a slug
    given explicitly must be free. FormErrors for a bad title or slug.
    """
    explicit = isinstance(slug, str) and bool(slug.strip())
    values = _collect(
        {
            "title": lambda: clean_title(title),
            "slug": lambda: clean_course_slug(slug.strip()) if explicit else None,
        }
    )
    for _ in range(3):
        try:
            return _insert_course(actor, values["title"], values["slug"] if explicit else None)
        except IntegrityError:
            # Another owner took the address between our check and our write (the unique index caught it).
            if explicit:
                raise FormErrors(
                    {"slug": f"Another course already uses the address {values['slug']}. Choose another."}
                ) from None
    raise FormErrors({"slug": "Several courses were being created with this title at once. Try again."})


def _insert_course(actor: Actor, title: str, explicit_slug: str | None) -> str:
    with db.write_session() as session:
        if explicit_slug is not None:
            course_slug = explicit_slug
            if not _free_slug(session, course_slug):
                raise FormErrors({"slug": f"Another course already uses the address {course_slug}."})
        else:
            base = slug_from_title(title) or "course"
            taken = set(session.exec(select(Course.slug).where(col(Course.slug).startswith(base))))
            taken |= RESERVED_COURSE_SLUGS
            course_slug, number = base, 2
            while course_slug in taken:
                course_slug, number = _with_suffix(base, number), number + 1
        position = session.exec(select(func.coalesce(func.max(Course.position), -1))).one() + 1
        course = Course(slug=course_slug, title=title, published=False, position=position, created_at=clock.now())
        session.add(course)
        session.flush()
        session.add(Module(course_id=course.id, title="Module 1", position=0))
        audit.record(session, actor, APP_KEY, "course_created", target=course_slug, detail={"title": course.title})
    return course_slug


def update_course(
    actor: Actor,
    slug: object,
    *,
    title: object,
    new_slug: object,
    description: object,
    published: object,
    for_everyone: object,
    certificate_enabled: object,
) -> str:
    """Change a course's details; its (possibly new) slug. FormErrors per field; LookupError for no such course."""
    values = _collect(
        {
            "title": lambda: clean_title(title),
            "slug": lambda: clean_course_slug(new_slug.strip() if isinstance(new_slug, str) else new_slug),
            "description": lambda: clean_description(description),
        }
    )
    try:
        return _update_course(actor, slug, values, published, for_everyone, certificate_enabled)
    except IntegrityError:
        raise _slug_taken_race(values["slug"]) from None


def _update_course(actor: Actor, slug: object, values: dict, published, for_everyone, certificate_enabled) -> str:
    with db.write_session() as session:
        course = course_by_slug(session, slug, lock=True)
        if not _free_slug(session, values["slug"], taken_by=course.id):
            raise FormErrors({"slug": f"Another course already uses the address {values['slug']}."})
        description_changed = course.description != values["description"]
        before = {
            "title": course.title,
            "slug": course.slug,
            "published": course.published,
            "for_everyone": course.for_everyone,
            "certificate_enabled": course.certificate_enabled,
        }
        course.title, course.slug, course.description = values["title"], values["slug"], values["description"]
        course.published, course.for_everyone = _flag(published), _flag(for_everyone)
        course.certificate_enabled = _flag(certificate_enabled)
        session.add(course)
        after = {key: getattr(course, key) for key in before}
        changed = {key: {"from": before[key], "to": after[key]} for key in before if before[key] != after[key]}
        if description_changed:
            changed["description"] = "changed"
        audit.record(session, actor, APP_KEY, "course_updated", target=course.slug, detail=changed)
        return course.slug


def set_published(actor: Actor, slug: object, published: bool) -> None:
    with db.write_session() as session:
        course = course_by_slug(session, slug, lock=True)
        course.published = bool(published)
        session.add(course)
        action = "course_published" if course.published else "course_unpublished"
        audit.record(session, actor, APP_KEY, action, target=course.slug)


def delete_course(actor: Actor, slug: object, *, confirm: object) -> None:
    """Delete a course with everything in it (progress, attempts, certificates): `confirm` must repeat its slug."""
    with db.write_session() as session:
        course = course_by_slug(session, slug, lock=True)
        if confirm != course.slug:
            raise FormErrors({"confirm": f"Type {course.slug} to confirm that the course and all progress in it go."})
        enrolled = session.exec(select(func.count()).where(Enrolment.course_id == course.id)).one()
        stored = stored_names_of_courses(session, [course.id])
        session.delete(course)
        audit.record(
            session,
            actor,
            APP_KEY,
            "course_deleted",
            target=course.slug,
            detail={"title": course.title, "enrolled": enrolled},
        )
    _remove_stored(stored)


# --- modules ---------------------------------------------------------------------------------------------


def _renumber(session: Session, rows) -> None:
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            session.add(row)


def _modules(session: Session, course: Course) -> list[Module]:
    return list(session.exec(select(Module).where(Module.course_id == course.id).order_by(Module.position, Module.id)))


def _module_lessons(session: Session, module: Module) -> list[Lesson]:
    return list(session.exec(select(Lesson).where(Lesson.module_id == module.id).order_by(Lesson.position, Lesson.id)))


def add_module(actor: Actor, course_slug: object, *, title: object) -> int:
    values = _collect({"title": lambda: clean_title(title)})
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        modules = _modules(session, course)
        module = Module(course_id=course.id, title=values["title"], position=len(modules))
        session.add(module)
        session.flush()
        audit.record(session, actor, APP_KEY, "module_added", target=course.slug, detail={"title": module.title})
        return module.id


def update_module(
    actor: Actor, course_slug: object, module_id: object, *, title: object, unlock_after_days: object, unlock_on: object
) -> None:
    values = _collect(
        {
            "title": lambda: clean_title(title),
            "unlock_after_days": lambda: clean_unlock_after_days(unlock_after_days),
            "unlock_on": lambda: clean_unlock_on(unlock_on),
        }
    )
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        module = _module(session, course, module_id)
        module.title, module.unlock_after_days, module.unlock_on = (
            values["title"],
            values["unlock_after_days"],
            values["unlock_on"],
        )
        session.add(module)
        audit.record(session, actor, APP_KEY, "module_updated", target=course.slug, detail={"title": module.title})


def move_module(actor: Actor, course_slug: object, module_id: object, direction: object) -> None:
    """Move a module one place up or down (nothing happens at either end)."""
    if direction not in (UP, DOWN):
        raise LookupError("not a direction")
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        module = _module(session, course, module_id)
        modules = _modules(session, course)
        index = modules.index(module)
        other = index - 1 if direction == UP else index + 1
        if 0 <= other < len(modules):
            modules[index], modules[other] = modules[other], modules[index]
            _renumber(session, modules)
            audit.record(
                session,
                actor,
                APP_KEY,
                "module_moved",
                target=course.slug,
                detail={"title": module.title, "to": direction},
            )


def delete_module(actor: Actor, course_slug: object, module_id: object) -> None:
    """Delete a module and its lessons (their progress goes with them); a course keeps at least one module."""
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        module = _module(session, course, module_id)
        modules = _modules(session, course)
        if len(modules) == 1:
            raise FormErrors({"module": "A course needs at least one module: add another before deleting this one."})
        lesson_ids = [lesson.id for lesson in _module_lessons(session, module)]
        stored = stored_names_of_lessons(session, lesson_ids)
        session.delete(module)
        session.flush()
        _renumber(session, [m for m in modules if m.id != module.id])
        audit.record(
            session,
            actor,
            APP_KEY,
            "module_deleted",
            target=course.slug,
            detail={"title": module.title, "lessons": len(lesson_ids)},
        )
    _remove_stored(stored)


# --- lessons ---------------------------------------------------------------------------------------------


def add_lesson(actor: Actor, course_slug: object, module_id: object, *, title: object, kind: object = "lesson") -> str:
    """A new empty lesson (or quiz, with one example question) at the end of a module; its slug."""
    values = _collect(
        {
            "title": lambda: clean_title(title),
            "kind": lambda: clean_kind(kind),
        }
    )
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        module = _module(session, course, module_id)
        base = slug_from_title(values["title"]) or "lesson"
        taken = set(session.exec(select(Lesson.slug).where(Lesson.course_id == course.id)))
        slug, number = base, 2
        while slug in taken:
            suffix = f"-{number}"
            slug, number = base[: MAX_SLUG_LENGTH - len(suffix)] + suffix, number + 1
        lesson = Lesson(
            course_id=course.id,
            module_id=module.id,
            slug=slug,
            title=values["title"],
            kind=values["kind"],
            position=len(_module_lessons(session, module)),
        )
        session.add(lesson)
        session.flush()
        if lesson.kind == "quiz":
            add_questions(session, lesson.id, parse_quiz(EXAMPLE_QUIZ))
        audit.record(
            session, actor, APP_KEY, "lesson_added", target=f"{course.slug}/{slug}", detail={"title": lesson.title}
        )
        return slug


EXAMPLE_QUIZ = "Q: Replace this question with your own.\n[x] A right answer\n[ ] A wrong answer"


def update_lesson(
    actor: Actor,
    course_slug: object,
    lesson_slug: object,
    *,
    title: object,
    new_slug: object,
    body_markdown: object,
    video_url: object,
    unlock_after_days: object,
    unlock_on: object,
    pass_percent: object = 70,
    max_attempts: object = 0,
    show_answers: object = False,
    quiz_text: object = "",
) -> str:
    """Save a lesson's editor form (and its quiz, for a quiz lesson) whole or not at all; its (new) slug."""
    with db.read_session() as session:
        kind = lesson_by_slug(session, course_by_slug(session, course_slug), lesson_slug).kind
    checks = {
        "title": lambda: clean_title(title),
        "slug": lambda: clean_slug(new_slug.strip() if isinstance(new_slug, str) else new_slug, "slug"),
        "body": lambda: clean_lesson_body(body_markdown),
        "video_url": lambda: clean_video_url(video_url),
        "unlock_after_days": lambda: clean_unlock_after_days(unlock_after_days),
        "unlock_on": lambda: clean_unlock_on(unlock_on),
    }
    if kind == "quiz":
        checks |= {
            "pass_percent": lambda: clean_percent(pass_percent),
            "max_attempts": lambda: clean_attempts(max_attempts),
            "questions": lambda: parse_quiz(quiz_text),
        }
    values = _collect(checks)
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        lesson = lesson_by_slug(session, course, lesson_slug)
        clash = session.exec(
            select(Lesson.id).where(
                Lesson.course_id == course.id, Lesson.slug == values["slug"], Lesson.id != lesson.id
            )
        ).first()
        if clash is not None:
            raise FormErrors({"slug": f"Another lesson of this course uses the address {values['slug']}."})
        lesson.title, lesson.slug, lesson.body_markdown = values["title"], values["slug"], values["body"]
        lesson.video_url = values["video_url"]
        lesson.unlock_after_days, lesson.unlock_on = values["unlock_after_days"], values["unlock_on"]
        if kind == "quiz":
            lesson.pass_percent, lesson.max_attempts = values["pass_percent"], values["max_attempts"]
            lesson.show_answers = _flag(show_answers)
            _replace_questions_if_changed(session, lesson, values["questions"])
        session.add(lesson)
        audit.record(
            session,
            actor,
            APP_KEY,
            "lesson_updated",
            target=f"{course.slug}/{lesson.slug}",
            detail={"title": lesson.title},
        )
        return lesson.slug


def _replace_questions_if_changed(session: Session, lesson: Lesson, questions) -> None:
    """Keep the stored questions (and the ids past attempts refer to) unless the quiz text really changed."""
    stored = session.exec(
        select(QuizQuestion).where(QuizQuestion.lesson_id == lesson.id).order_by(QuizQuestion.position, QuizQuestion.id)
    ).all()
    current = []
    for question in stored:
        choices = session.exec(
            select(QuizChoice).where(QuizChoice.question_id == question.id).order_by(QuizChoice.position, QuizChoice.id)
        ).all()
        current.append((question.prompt, question.multiple, [(c.text, c.correct) for c in choices]))
    wanted = [(q.prompt, q.multiple, [(c.text, c.correct) for c in q.choices]) for q in questions]
    if current == wanted:
        return
    ids = [question.id for question in stored]
    if ids:
        session.exec(delete(QuizChoice).where(col(QuizChoice.question_id).in_(ids)))
        session.exec(delete(QuizQuestion).where(col(QuizQuestion.id).in_(ids)))
    session.flush()
    add_questions(session, lesson.id, questions)


def move_lesson(actor: Actor, course_slug: object, lesson_slug: object, direction: object) -> None:
    """Move a lesson one place up or down; past the top or bottom of its module it goes to the end of the
    module before or the start of the module after (nothing happens at the course's ends)."""
    if direction not in (UP, DOWN):
        raise LookupError("not a direction")
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        lesson = lesson_by_slug(session, course, lesson_slug)
        modules = _modules(session, course)
        module_index = next(index for index, module in enumerate(modules) if module.id == lesson.module_id)
        siblings = _module_lessons(session, modules[module_index])
        index = siblings.index(lesson)
        other = index - 1 if direction == UP else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
            _renumber(session, siblings)
        else:
            target_index = module_index - 1 if direction == UP else module_index + 1
            if not 0 <= target_index < len(modules):
                return
            target = modules[target_index]
            siblings.remove(lesson)
            _renumber(session, siblings)
            neighbours = _module_lessons(session, target)
            lesson.module_id = target.id
            neighbours = neighbours + [lesson] if direction == UP else [lesson] + neighbours
            _renumber(session, neighbours)
            session.add(lesson)
        audit.record(
            session, actor, APP_KEY, "lesson_moved", target=f"{course.slug}/{lesson.slug}", detail={"to": direction}
        )


def delete_lesson(actor: Actor, course_slug: object, lesson_slug: object) -> None:
    """Delete a lesson with its quiz, attempts and completions."""
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        lesson = lesson_by_slug(session, course, lesson_slug)
        module = session.get(Module, lesson.module_id)
        stored = stored_names_of_lessons(session, [lesson.id])
        session.delete(lesson)
        session.flush()
        _renumber(session, _module_lessons(session, module))
        audit.record(
            session,
            actor,
            APP_KEY,
            "lesson_deleted",
            target=f"{course.slug}/{lesson.slug}",
            detail={"title": lesson.title},
        )
    _remove_stored(stored)
