"""/apps/courses/[course]/[lesson]: one lesson, "Mark complete", previous and next, and "Up next" once done."""

import reflex as rx

from portal_app.apps.courses.ui.components import completed_badge, missing
from portal_app.apps.courses.ui.courses_state import CoursesState
from portal_app.shell.ui.forms import notice


def _up_next() -> rx.Component:
    return rx.cond(
        CoursesState.course_just_completed,
        rx.callout(
            rx.text(
                "You completed ",
                CoursesState.course.title,
                ". ",
                rx.link("Back to My courses", href="/apps/courses"),
            ),
            icon="party-popper",
            color_scheme="green",
            width="100%",
        ),
        rx.cond(
            CoursesState.up_next_href != "",
            rx.card(
                rx.vstack(
                    rx.heading("Up next", as_="h2", size="3"),
                    rx.link(CoursesState.up_next_title, href=CoursesState.up_next_href),
                    spacing="1",
                ),
                width="100%",
            ),
        ),
    )


def _neighbours() -> rx.Component:
    return rx.hstack(
        rx.cond(
            CoursesState.previous_href != "",
            rx.link("← Previous: ", CoursesState.previous_title, href=CoursesState.previous_href),
        ),
        rx.spacer(),
        rx.cond(
            CoursesState.next_href != "",
            rx.link("Next: ", CoursesState.next_title, " →", href=CoursesState.next_href),
        ),
        width="100%",
        wrap="wrap",
        spacing="3",
    )


def _lesson() -> rx.Component:
    return rx.vstack(
        rx.text(CoursesState.lesson_module, " · ", CoursesState.lesson_position, size="2", color_scheme="gray"),
        rx.heading(CoursesState.lesson_title, as_="h1", size="7"),
        # Sanitised with nh3's allow-list on the server (service.lesson_html); never raw lesson text.
        rx.box(rx.html(CoursesState.lesson_html), class_name="lesson-body", width="100%"),
        notice(CoursesState.notice),
        rx.cond(
            CoursesState.lesson_done,
            completed_badge(),
            rx.button("Mark complete", size="3", on_click=CoursesState.complete_lesson),
        ),
        _up_next(),
        _neighbours(),
        spacing="4",
        width="100%",
    )


def lesson_page() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link("My courses", href="/apps/courses"),
            rx.cond(CoursesState.course.href != "", rx.text("/", color_scheme="gray", aria_hidden="true")),
            rx.cond(CoursesState.course.href != "", rx.link(CoursesState.course.title, href=CoursesState.course.href)),
            spacing="2",
        ),
        rx.cond(
            CoursesState.lesson_missing,
            missing(
                "That lesson is not open to you",
                "It may not exist, or its course may not be open to your account. Your courses are listed on My courses.",
            ),
            rx.cond(CoursesState.lesson_title != "", _lesson()),
        ),
        spacing="4",
        width="100%",
    )
