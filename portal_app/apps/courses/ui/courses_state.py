"""The state of Membership Courses' three pages: My courses, a course, a lesson. Thin, like every app state.

Every handler gates first (`_gate`), reads the course and lesson from the tab's URL
(`_route_param`), checks they look like slugs, and asks the service, which decides what this
account may open. Nothing account-specific is a default: the prerendered page shows none of it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re

import reflex as rx

from portal_app.apps.courses import certificates, service
from portal_app.apps.courses.quizzes import QuizView, used_up
from portal_app.apps.courses.validation import is_slug
from portal_app.kernel.errors import FieldError
from portal_app.shell.ui.app_guard import AppAccessState

COURSES_ROUTE = "/apps/courses"
# A quiz form's fields: "q-<question>" (a radio button's value is the choice) or "q-<question>-<choice>" (a check box).
_SINGLE_ANSWER = re.compile(r"q-([0-9]{1,12})")
_MULTIPLE_ANSWER = re.compile(r"q-([0-9]{1,12})-([0-9]{1,12})")
MAX_QUIZ_FIELDS = 1000


@dataclasses.dataclass
class CourseRow:
    slug: str = ""
    title: str = ""
    description: str = ""
    href: str = ""
    percent: int = 0
    progress: str = ""
    # "Start", "Resume" or "Review" (every lesson done), and where it goes.
    action: str = ""
    action_href: str = ""
    completed: bool = False
    enrolled: bool = False
    certificate_href: str = ""
    cover_url: str = ""


@dataclasses.dataclass
class LessonRow:
    title: str = ""
    href: str = ""
    done: bool = False
    is_next: bool = False
    is_quiz: bool = False
    # "Unlocks 3 Dec, in 4 days" while locked, else "".
    locked_label: str = ""


@dataclasses.dataclass
class ChoiceRow:
    # The form field's name and value (see _SINGLE_ANSWER / _MULTIPLE_ANSWER) and its element id.
    name: str = ""
    value: str = ""
    field_id: str = ""
    text: str = ""


@dataclasses.dataclass
class QuestionRow:
    number: int = 0
    prompt: str = ""
    multiple: bool = False
    choices: list[ChoiceRow] = dataclasses.field(default_factory=list)
    # Marked wrong in the last attempt (only when the owner shows answers).
    wrong: bool = False


@dataclasses.dataclass
class FileRow:
    name: str = ""
    size: str = ""
    url: str = ""


@dataclasses.dataclass
class CertificateRow:
    course_title: str = ""
    issued_on: str = ""
    href: str = ""


@dataclasses.dataclass
class ModuleRow:
    title: str = ""
    lessons: list[LessonRow] = dataclasses.field(default_factory=list)


def _course_href(slug: str) -> str:
    return f"{COURSES_ROUTE}/{slug}"


def _lesson_href(course_slug: str, lesson_slug: str) -> str:
    return f"{COURSES_ROUTE}/{course_slug}/{lesson_slug}"


def _certificate_href(code: str | None) -> str:
    return f"{certificates.CERTIFICATES_ROUTE}/{code}" if code else ""


def _question_rows(quiz: QuizView) -> list[QuestionRow]:
    wrong = set(quiz.last.wrong_question_ids) if quiz.last else set()
    rows = []
    for number, question in enumerate(quiz.questions, start=1):
        choices = [
            ChoiceRow(
                name=f"q-{question.id}-{choice.id}" if question.multiple else f"q-{question.id}",
                value="on" if question.multiple else str(choice.id),
                field_id=f"q-{question.id}-choice-{choice.id}",
                text=choice.text,
            )
            for choice in question.choices
        ]
        rows.append(QuestionRow(number, question.prompt, question.multiple, choices, question.id in wrong))
    return rows


def answers_from_form(form_data: object) -> dict[str, list[str]]:
    """A quiz form's fields as {question id: [choice ids]}; anything else in the form is ignored (the
    service checks every id belongs to the quiz)."""
    answers: dict[str, list[str]] = {}
    if not isinstance(form_data, dict) or len(form_data) > MAX_QUIZ_FIELDS:
        return answers
    for key, value in form_data.items():
        if not isinstance(key, str):
            continue
        if single := _SINGLE_ANSWER.fullmatch(key):
            if isinstance(value, str):
                answers.setdefault(single.group(1), []).append(value)
        elif (multiple := _MULTIPLE_ANSWER.fullmatch(key)) and value in ("on", True):
            answers.setdefault(multiple.group(1), []).append(multiple.group(2))
    return answers


def _attempts_text(quiz: QuizView) -> str:
    mark = f"Pass mark {quiz.pass_percent}%."
    if quiz.max_attempts == 0:
        return f"{mark} Unlimited attempts."
    left = quiz.attempts_left
    return f"{mark} {left} of {quiz.max_attempts} attempts left." if left != 1 else f"{mark} 1 attempt left."


def _result_text(score: int, correct: int, total: int, passed: bool) -> str:
    verdict = "You passed." if passed else "Not passed yet."
    return f"{verdict} You scored {score}% ({correct} of {total} right)."


def _progress(done: int, total: int) -> str:
    return f"{done} of {total} lesson done" if total == 1 else f"{done} of {total} lessons done"


def _action(course_slug: str, done: int, total: int, next_lesson: service.LessonLink | None) -> tuple[str, str]:
    """The main link of a course: Start (nothing done), Resume (the next unfinished lesson), Review (all done)."""
    if next_lesson is None:
        return ("Review", _course_href(course_slug)) if total else ("", "")
    return ("Start" if done == 0 else "Resume"), _lesson_href(course_slug, next_lesson.slug)


def _course_row(card: service.CourseCard) -> CourseRow:
    action, action_href = _action(card.slug, card.lessons_done, card.lessons_total, card.next_lesson)
    return CourseRow(
        slug=card.slug,
        title=card.title,
        description=card.description,
        href=_course_href(card.slug),
        percent=card.percent,
        progress=_progress(card.lessons_done, card.lessons_total),
        action=action,
        action_href=action_href,
        completed=card.completed,
        enrolled=card.enrolled,
        certificate_href=_certificate_href(card.certificate_code),
        cover_url=card.cover_url,
    )


class CoursesState(AppAccessState):
    # /apps/courses
    courses: list[CourseRow] = []
    # Courses offered to everyone with the app that the person has not started.
    open_courses: list[CourseRow] = []
    my_certificates: list[CertificateRow] = []
    courses_loaded: bool = False
    # /apps/courses/[course]
    course: CourseRow = CourseRow()
    modules: list[ModuleRow] = []
    course_missing: bool = False
    # /apps/courses/[course]/[lesson]
    lesson_title: str = ""
    lesson_module: str = ""
    lesson_position: str = ""
    # Sanitised on the server (apps.markdown.safe_html): the only HTML this app hands to the browser.
    lesson_html: str = ""
    lesson_done: bool = False
    previous_title: str = ""
    previous_href: str = ""
    next_title: str = ""
    next_href: str = ""
    lesson_missing: bool = False
    # "Unlocks 3 Dec, in 4 days" when the lesson in the URL has not unlocked yet.
    lesson_locked_label: str = ""
    # The embed address made from the lesson's YouTube or Vimeo video (video.embed_url), or "".
    video_embed_url: str = ""
    # The lesson's uploaded video, served by a route that checks the lesson is open to this person.
    video_file_url: str = ""
    lesson_files: list[FileRow] = []
    # Quizzes.
    is_quiz: bool = False
    quiz_questions: list[QuestionRow] = []
    quiz_info: str = ""
    quiz_result: str = ""
    quiz_passed: bool = False
    quiz_can_attempt: bool = False
    quiz_error: str = ""
    # Changes whenever a quiz is shown afresh, so its form starts empty.
    quiz_version: int = 0
    certificate_href: str = ""
    # After "Mark complete": what comes next, and whether that finished the course.
    up_next_title: str = ""
    up_next_href: str = ""
    course_just_completed: bool = False
    notice: str = ""

    def _forget_app_data(self) -> None:
        super()._forget_app_data()
        self.courses = []
        self.open_courses = []
        self.my_certificates = []
        self.courses_loaded = False
        self._forget_course()
        self._forget_lesson()

    def _forget_course(self) -> None:
        self.course = CourseRow()
        self.modules = []
        self.course_missing = False

    def _forget_lesson(self) -> None:
        self.lesson_title = self.lesson_module = self.lesson_position = self.lesson_html = ""
        self.lesson_done = self.lesson_missing = self.course_just_completed = False
        self.previous_title = self.previous_href = self.next_title = self.next_href = ""
        self.up_next_title = self.up_next_href = self.notice = ""
        self.lesson_locked_label = self.video_embed_url = self.video_file_url = ""
        self.lesson_files = []
        self._forget_quiz()
        self.certificate_href = ""

    def _forget_quiz(self) -> None:
        self.is_quiz = self.quiz_passed = self.quiz_can_attempt = False
        self.quiz_questions = []
        self.quiz_info = self.quiz_result = self.quiz_error = ""

    def _slugs(self, *names: str) -> tuple[str, ...] | None:
        """The route parameters `names` of the tab's URL, or None when any is not a slug."""
        values = tuple(self._route_param(name) for name in names)
        return values if all(is_slug(value) for value in values) else None

    @rx.event
    async def load_courses(self):
        """on_load of /apps/courses: the person's courses with their progress."""
        principal, _ = await self._gate(service.APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        cards = await asyncio.to_thread(service.my_courses, principal.account_id)
        issued = await asyncio.to_thread(service.my_certificates, principal.account_id)
        rows = [_course_row(card) for card in cards]
        self.courses = [row for row in rows if row.enrolled]
        self.open_courses = [row for row in rows if not row.enrolled]
        self.my_certificates = [
            CertificateRow(item.course_title, item.issued_on, _certificate_href(item.code)) for item in issued
        ]
        self.courses_loaded = True

    @rx.event
    async def load_course(self):
        """on_load of /apps/courses/[course]: the outline, only for a course open to this person."""
        principal, _ = await self._gate(service.APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self._forget_course()
        slugs = self._slugs("course")
        try:
            if slugs is None:
                raise LookupError("not a course slug")
            outline = await asyncio.to_thread(service.course_outline, principal.account_id, slugs[0])
        except LookupError:
            self.course_missing = True
            return
        action, action_href = _action(outline.slug, outline.lessons_done, outline.lessons_total, outline.next_lesson)
        self.course = CourseRow(
            slug=outline.slug,
            title=outline.title,
            description=outline.description,
            href=_course_href(outline.slug),
            percent=outline.percent,
            progress=_progress(outline.lessons_done, outline.lessons_total),
            action=action,
            action_href=action_href,
            completed=outline.completed,
            certificate_href=_certificate_href(outline.certificate_code),
        )
        self.modules = [
            ModuleRow(
                title=module.title,
                lessons=[
                    LessonRow(
                        title=lesson.title,
                        href=_lesson_href(outline.slug, lesson.slug),
                        done=lesson.done,
                        is_next=lesson.is_next,
                        is_quiz=lesson.kind == "quiz",
                        locked_label=lesson.locked_label,
                    )
                    for lesson in module.lessons
                ],
            )
            for module in outline.modules
        ]

    async def _show_lesson(self, account_id: int, course_slug: str, lesson_slug: str) -> None:
        view = await asyncio.to_thread(service.lesson_view, account_id, course_slug, lesson_slug)
        self.course = CourseRow(slug=view.course_slug, title=view.course_title, href=_course_href(view.course_slug))
        self.lesson_title = view.title
        self.lesson_module = view.module_title
        self.lesson_position = f"Lesson {view.number} of {view.lessons_total}"
        self.lesson_html = view.body_html
        self.lesson_done = view.done
        self.previous_title = view.previous.title if view.previous else ""
        self.previous_href = _lesson_href(view.course_slug, view.previous.slug) if view.previous else ""
        self.next_title = view.next.title if view.next else ""
        self.next_href = _lesson_href(view.course_slug, view.next.slug) if view.next else ""
        self.video_embed_url = view.video_embed_url
        self.video_file_url = view.video_file_url
        self.lesson_files = [FileRow(item.name, item.size, item.url) for item in view.attachments]
        self._forget_quiz()
        if view.quiz is not None:
            self._show_quiz(view.quiz)

    def _show_quiz(self, quiz: QuizView) -> None:
        self.is_quiz = True
        self.quiz_questions = _question_rows(quiz)
        self.quiz_info = _attempts_text(quiz)
        self.quiz_passed = quiz.passed
        self.quiz_can_attempt = quiz.can_attempt
        if quiz.last is not None:
            last = quiz.last
            self.quiz_result = _result_text(last.score_percent, last.correct_count, last.question_count, last.passed)
            if quiz.show_answers and last.wrong_question_ids and not last.passed:
                self.quiz_result += " The questions marked below were wrong."
        if not quiz.can_attempt and not quiz.passed:
            self.quiz_error = used_up(quiz.max_attempts)
        self.quiz_version += 1

    def _refuse_lesson(self, error: LookupError) -> None:
        """Show the page that says why the lesson in the URL is not open (locked: when it unlocks)."""
        self._forget_course()
        self._forget_lesson()
        if isinstance(error, service.LessonLocked):
            self.lesson_locked_label = error.label
        else:
            self.lesson_missing = True

    @rx.event
    async def load_lesson(self):
        """on_load of /apps/courses/[course]/[lesson]: one lesson of a course open to this person."""
        principal, _ = await self._gate(service.APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self._forget_course()
        self._forget_lesson()
        slugs = self._slugs("course", "lesson")
        try:
            if slugs is None:
                raise LookupError("not a lesson address")
            await self._show_lesson(principal.account_id, *slugs)
        except LookupError as error:
            self._refuse_lesson(error)

    @rx.event
    async def complete_lesson(self):
        """ "Mark complete" on a lesson page: the lesson is the one in the tab's URL, checked like any input."""
        principal, redirect = await self._gate(service.APP_KEY)
        if principal is None:
            return redirect
        self.notice = ""
        slugs = self._slugs("course", "lesson")
        try:
            if slugs is None:
                raise LookupError("not a lesson address")
            done = await asyncio.to_thread(service.complete_lesson, principal.account_id, *slugs)
            await self._show_lesson(principal.account_id, *slugs)
        except LookupError as error:
            self._refuse_lesson(error)
            return
        except FieldError as error:
            self.notice = error.message
            return
        self.notice = "Lesson marked complete." if done.newly_done else "You had already completed this lesson."
        self._after_completion(slugs[0], done.course_completed, done.up_next, done.certificate_code)

    def _after_completion(self, course_slug: str, completed: bool, up_next, code: str | None) -> None:
        self.course_just_completed = completed
        self.up_next_title = up_next.title if up_next else ""
        self.up_next_href = _lesson_href(course_slug, up_next.slug) if up_next else ""
        if code:
            self.certificate_href = _certificate_href(code)

    @rx.event
    async def submit_quiz(self, form_data: dict):
        """A quiz form: the lesson is the one in the tab's URL; the answers are checked by the service."""
        principal, redirect = await self._gate(service.APP_KEY)
        if principal is None:
            return redirect
        self.notice = self.quiz_error = ""
        slugs = self._slugs("course", "lesson")
        try:
            if slugs is None:
                raise LookupError("not a lesson address")
            answers = answers_from_form(form_data)
            submitted = await asyncio.to_thread(service.submit_quiz, principal.account_id, *slugs, answers)
            await self._show_lesson(principal.account_id, *slugs)
        except LookupError as error:
            self._refuse_lesson(error)
            return
        except FieldError as error:
            self.quiz_error = error.message
            return
        # _show_lesson has shown this attempt's result (the quiz's last one).
        if submitted.result.passed:
            self._after_completion(slugs[0], submitted.course_completed, submitted.up_next, submitted.certificate_code)
