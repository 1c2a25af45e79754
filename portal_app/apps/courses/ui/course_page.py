"""/apps/courses/[course]: a course's modules and lessons in order, each done, next or locked (with when it
unlocks), overall progress, and the certificate once earned."""

import reflex as rx

from portal_app.apps.courses.ui.components import action_link, completed_badge, missing, progress_bar
from portal_app.apps.courses.ui.courses_state import CoursesState


def _lesson_item(lesson) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.cond(
                lesson.done,
                rx.icon("circle-check", size=18, color="var(--green-10)", aria_hidden="true"),
                rx.cond(
                    lesson.locked_label != "",
                    rx.icon("lock", size=18, color="var(--gray-9)", aria_hidden="true"),
                    rx.icon("circle", size=18, color="var(--gray-8)", aria_hidden="true"),
                ),
            ),
            # A locked lesson is named, not linked: its page would only say it is locked.
            rx.cond(
                lesson.locked_label != "",
                rx.text(lesson.title, color_scheme="gray"),
                rx.link(lesson.title, href=lesson.href),
            ),
            rx.cond(lesson.is_quiz, rx.badge("Quiz", color_scheme="violet", variant="soft")),
            rx.cond(lesson.done, rx.badge("Done", color_scheme="green", variant="soft")),
            rx.cond(lesson.is_next, rx.badge("Next", color_scheme="blue", variant="soft")),
            rx.cond(lesson.locked_label != "", rx.badge(lesson.locked_label, color_scheme="gray", variant="soft")),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        style={"listStyle": "none", "padding": "6px 0"},
    )


def _module(module) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(module.title, as_="h2", size="4"),
            rx.el.ol(rx.foreach(module.lessons, _lesson_item), style={"padding": 0, "margin": 0}),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _outline() -> rx.Component:
    course = CoursesState.course
    return rx.vstack(
        rx.hstack(
            rx.heading(course.title, as_="h1", size="7"),
            rx.cond(course.completed, completed_badge()),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(course.description != "", rx.text(course.description, color_scheme="gray")),
        rx.cond(
            course.certificate_href != "",
            rx.callout(
                rx.text("You earned a certificate. ", rx.link("See your certificate", href=course.certificate_href)),
                icon="award",
                color_scheme="green",
                width="100%",
            ),
        ),
        progress_bar(course.percent, "Course progress"),
        rx.hstack(
            rx.text(course.progress, size="2"),
            rx.spacer(),
            rx.cond(
                course.action != "",
                action_link(course.action, course.action_href),
            ),
            align="center",
            width="100%",
        ),
        rx.foreach(CoursesState.modules, _module),
        spacing="4",
        width="100%",
    )


def course_page() -> rx.Component:
    return rx.vstack(
        rx.link("My courses", href="/apps/courses"),
        rx.cond(
            CoursesState.course_missing,
            missing(
                "That course is not open to you",
                "It may not exist, not be published yet, or need an enrolment. Your courses are listed on My courses.",
            ),
            rx.cond(CoursesState.course.slug != "", _outline()),
        ),
        spacing="4",
        width="100%",
    )
