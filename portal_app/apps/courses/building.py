"""Building courses from a description: modules, lessons (with video, drip and quizzes), in order.

Demo data and tests build courses this way; every value goes through the same checks as the
owner's forms (validation.py, video.py), and nothing is added unless all of it passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from portal_app.apps.courses.models import Course, Lesson, Module, QuizChoice, QuizQuestion
from portal_app.apps.courses.validation import (
    MAX_QUESTIONS,
    clean_attempts,
    clean_course_slug,
    clean_description,
    clean_kind,
    clean_lesson_body,
    clean_percent,
    clean_question,
    clean_slug,
    clean_title,
    clean_unlock_after_days,
    clean_unlock_on,
)
from portal_app.apps.courses.video import clean_video_url
from portal_app.kernel import clock
from portal_app.kernel.errors import FieldError


@dataclass(frozen=True)
class ChoiceSpec:
    text: str
    correct: bool = False


@dataclass(frozen=True)
class QuestionSpec:
    prompt: str
    choices: tuple[ChoiceSpec, ...]
    # Several right answers (check boxes) or one (radio buttons).
    multiple: bool = False


@dataclass(frozen=True)
class LessonSpec:
    slug: str
    title: str
    body_markdown: str = ""
    kind: str = "lesson"
    video_url: str = ""
    unlock_after_days: int | None = None
    unlock_on: date | None = None
    questions: tuple[QuestionSpec, ...] = ()
    pass_percent: int = 70
    max_attempts: int = 0
    show_answers: bool = False


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    lessons: tuple[LessonSpec, ...]
    unlock_after_days: int | None = None
    unlock_on: date | None = None


def add_questions(session: Session, lesson_id: int, questions: Sequence[QuestionSpec]) -> None:
    """A quiz's questions and answers, in order, checked (at least one question, each with a right answer)."""
    if not questions:
        raise FieldError("questions", "Add at least one question to the quiz.")
    if len(questions) > MAX_QUESTIONS:
        raise FieldError("questions", f"Keep a quiz to {MAX_QUESTIONS} questions or fewer.")
    for position, spec in enumerate(questions):
        prompt, choices = clean_question(spec.prompt, [(c.text, c.correct) for c in spec.choices], spec.multiple)
        question = QuizQuestion(lesson_id=lesson_id, prompt=prompt, multiple=spec.multiple, position=position)
        session.add(question)
        session.flush()
        for choice_position, (text, correct) in enumerate(choices):
            session.add(QuizChoice(question_id=question.id, text=text, correct=correct, position=choice_position))


def create_course(
    session: Session,
    *,
    slug: object,
    title: object,
    description: str = "",
    published: bool,
    for_everyone: bool = False,
    certificate_enabled: bool = False,
    position: int = 0,
    modules: Sequence[ModuleSpec] = (),
) -> Course:
    """Add a course with its modules and lessons, in order, inside the caller's transaction.

    Raises FieldError for a bad or taken slug, an empty or over-long title, an over-long lesson, a
    video that is not YouTube or Vimeo, a bad drip or a quiz without a right answer (nothing is
    added: the caller's transaction rolls back).
    """
    course_slug = clean_course_slug(slug)
    if session.exec(select(Course.id).where(Course.slug == course_slug)).first() is not None:
        raise FieldError("slug", f"Another course already uses the address {course_slug}.")
    course = Course(
        slug=course_slug,
        title=clean_title(title),
        description=clean_description(description),
        published=published,
        for_everyone=for_everyone,
        certificate_enabled=certificate_enabled,
        position=position,
        created_at=clock.now(),
    )
    session.add(course)
    session.flush()
    lesson_slugs: set[str] = set()
    for module_position, spec in enumerate(modules):
        module = Module(
            course_id=course.id,
            title=clean_title(spec.title),
            position=module_position,
            unlock_after_days=clean_unlock_after_days(spec.unlock_after_days),
            unlock_on=clean_unlock_on(spec.unlock_on),
        )
        session.add(module)
        session.flush()
        for lesson_position, lesson in enumerate(spec.lessons):
            lesson_slug = clean_slug(lesson.slug, "lesson_slug")
            if lesson_slug in lesson_slugs:
                raise FieldError("lesson_slug", f"Two lessons of this course use the address {lesson_slug}.")
            clean_kind(lesson.kind)
            lesson_slugs.add(lesson_slug)
            row = Lesson(
                course_id=course.id,
                module_id=module.id,
                slug=lesson_slug,
                title=clean_title(lesson.title),
                body_markdown=clean_lesson_body(lesson.body_markdown),
                position=lesson_position,
                kind=lesson.kind,
                video_url=clean_video_url(lesson.video_url),
                unlock_after_days=clean_unlock_after_days(lesson.unlock_after_days),
                unlock_on=clean_unlock_on(lesson.unlock_on),
                pass_percent=clean_percent(lesson.pass_percent),
                max_attempts=clean_attempts(lesson.max_attempts),
                show_answers=bool(lesson.show_answers),
            )
            session.add(row)
            session.flush()
            if lesson.kind == "quiz":
                add_questions(session, row.id, lesson.questions)
    session.flush()
    return course
