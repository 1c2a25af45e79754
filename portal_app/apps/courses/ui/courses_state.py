"""The state of Membership Courses' three pages: My courses, a course, a lesson. Thin, like every app state.

Every handler gates first (`_gate`), reads the course and lesson from the tab's URL
(`_route_param`), checks they look like slugs, and asks the service, which decides what this
account may open. Nothing account-specific is a default: the prerendered page shows none of it.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.apps.courses import service
from portal_app.shell.ui.app_guard import AppAccessState

COURSES_ROUTE = "/apps/courses"


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


@dataclasses.dataclass
class LessonRow:
    title: str = ""
    href: str = ""
    done: bool = False
    is_next: bool = False


@dataclasses.dataclass
class ModuleRow:
    title: str = ""
    lessons: list[LessonRow] = dataclasses.field(default_factory=list)


def _course_href(slug: str) -> str:
    return f"{COURSES_ROUTE}/{slug}"


def _lesson_href(course_slug: str, lesson_slug: str) -> str:
    return f"{COURSES_ROUTE}/{course_slug}/{lesson_slug}"


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
    )


class CoursesState(AppAccessState):
    # /apps/courses
    courses: list[CourseRow] = []
    courses_loaded: bool = False
    # /apps/courses/[course]
    course: CourseRow = CourseRow()
    modules: list[ModuleRow] = []
    course_missing: bool = False
    # /apps/courses/[course]/[lesson]
    lesson_title: str = ""
    lesson_module: str = ""
    lesson_position: str = ""
    # Sanitised on the server (service.lesson_html): the only HTML this app hands to the browser.
    lesson_html: str = ""
    lesson_done: bool = False
    previous_title: str = ""
    previous_href: str = ""
    next_title: str = ""
    next_href: str = ""
    lesson_missing: bool = False
    # After "Mark complete": what comes next, and whether that finished the course.
    up_next_title: str = ""
    up_next_href: str = ""
    course_just_completed: bool = False
    notice: str = ""

    def _forget_app_data(self) -> None:
        super()._forget_app_data()
        self.courses = []
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

    def _slugs(self, *names: str) -> tuple[str, ...] | None:
        """The route parameters `names` of the tab's URL, or None when any is not a slug."""
        values = tuple(self._route_param(name) for name in names)
        return values if all(service.is_slug(value) for value in values) else None

    @rx.event
    async def load_courses(self):
        """on_load of /apps/courses: the person's courses with their progress."""
        principal, _ = await self._gate(service.APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        cards = await asyncio.to_thread(service.my_courses, principal.account_id)
        self.courses = [_course_row(card) for card in cards]
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
        except LookupError:
            self._forget_lesson()
            self.lesson_missing = True

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
        except LookupError:
            self._forget_course()
            self._forget_lesson()
            self.lesson_missing = True
            return
        self.notice = "Lesson marked complete." if done.newly_done else "You had already completed this lesson."
        self.course_just_completed = done.course_completed
        self.up_next_title = done.up_next.title if done.up_next else ""
        self.up_next_href = _lesson_href(slugs[0], done.up_next.slug) if done.up_next else ""
