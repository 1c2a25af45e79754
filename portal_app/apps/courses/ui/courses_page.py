"""/apps/courses: My courses (each with its progress, Start/Resume and a Completed badge), the courses
open to everyone with the app that the person has not started, and their certificates."""

import reflex as rx

from portal_app.apps.courses.service import APP_KEY
from portal_app.apps.courses.ui.components import action_link, completed_badge, progress_bar
from portal_app.apps.courses.ui.courses_state import CoursesState
from portal_app.apps.registry import get_app
from portal_app.shell.ui.app_frame import app_header
from portal_app.shell.ui.lists import plain_list


def _course_card(course) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.cond(
                    course.cover_url != "",
                    rx.image(
                        src=course.cover_url,
                        alt="",
                        width="100%",
                        height="140px",
                        object_fit="cover",
                        border_radius="6px",
                        loading="lazy",
                    ),
                ),
                rx.hstack(
                    rx.heading(rx.link(course.title, href=course.href), as_="h2", size="4"),
                    rx.cond(course.completed, completed_badge()),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.cond(course.description != "", rx.text(course.description, size="2", color_scheme="gray")),
                rx.cond(
                    course.certificate_href != "",
                    rx.link(
                        rx.icon("award", size=16, aria_hidden="true"),
                        "Certificate",
                        href=course.certificate_href,
                        aria_label="Certificate for " + course.title,
                        size="2",
                    ),
                ),
                progress_bar(course.percent, "Progress in " + course.title),
                rx.hstack(
                    rx.text(course.progress, size="2"),
                    rx.spacer(),
                    rx.cond(
                        course.action != "",
                        action_link(course.action, course.action_href, aria_label=course.action + ": " + course.title),
                    ),
                    align="center",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        list_style="none",
    )


def _empty_state() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("No courses yet", as_="h2", size="4"),
            rx.text(
                "You are not enrolled in a course yet. When ",
                CoursesState.business_name,
                " enrols you in one, it appears here with your progress. Ask them if you expected a course.",
            ),
            spacing="2",
        ),
        width="100%",
    )


def _certificate_item(item) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.icon("award", size=18, color="var(--amber-10)", aria_hidden="true"),
            rx.link(item.course_title, href=item.href),
            rx.text(item.issued_on, size="2", color_scheme="gray"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        list_style="none",
    )


def _lists() -> rx.Component:
    return rx.vstack(
        rx.cond(
            CoursesState.courses.length() > 0,
            plain_list(rx.foreach(CoursesState.courses, _course_card), gap="12px", aria_label="My courses"),
            rx.cond(CoursesState.open_courses.length() == 0, _empty_state()),
        ),
        rx.cond(
            CoursesState.open_courses.length() > 0,
            rx.vstack(
                rx.heading("Open to you", as_="h2", size="5"),
                rx.text(
                    "Courses that come with your membership. Start any of them when you like.", color_scheme="gray"
                ),
                plain_list(rx.foreach(CoursesState.open_courses, _course_card), gap="12px", aria_label="Open to you"),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            CoursesState.my_certificates.length() > 0,
            rx.vstack(
                rx.heading("Certificates", as_="h2", size="5"),
                plain_list(
                    rx.foreach(CoursesState.my_certificates, _certificate_item), gap="6px", aria_label="Certificates"
                ),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="5",
        width="100%",
    )


def courses_page() -> rx.Component:
    return rx.vstack(
        app_header(get_app(APP_KEY)),
        rx.cond(
            CoursesState.app_role == "instructor",
            rx.link(
                rx.hstack(
                    rx.icon("pencil-ruler", size=16, aria_hidden="true"), "Course builder", align="center", spacing="1"
                ),
                href="/apps/courses/teach",
            ),
        ),
        rx.cond(CoursesState.courses_loaded, _lists()),
        spacing="4",
        width="100%",
    )
