"""/apps/courses/[course]/[lesson]: one lesson (text, video, or a quiz), "Mark complete" or the quiz form,
previous and next, and "Up next" once done; a locked lesson says when it unlocks."""

import reflex as rx

from portal_app.apps.courses.ui.components import completed_badge, missing
from portal_app.apps.courses.ui.courses_state import CoursesState
from portal_app.apps.courses.ui.quiz_form import quiz
from portal_app.shell.ui.forms import notice


def _up_next() -> rx.Component:
    return rx.cond(
        CoursesState.course_just_completed,
        rx.callout(
            rx.text(
                "You completed ",
                CoursesState.course.title,
                ". ",
                rx.cond(
                    CoursesState.certificate_href != "",
                    rx.fragment(rx.link("See your certificate", href=CoursesState.certificate_href), ". "),
                ),
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


# The theme resets lists and spacing; a lesson reads as an article (the app's own style, no core CSS).
LESSON_TEXT = {
    "lineHeight": "1.6",
    "& p, & ul, & ol, & pre, & blockquote, & table": {"margin": "0 0 0.9em"},
    "& ul": {"listStyle": "disc", "paddingLeft": "1.5em"},
    "& ol": {"listStyle": "decimal", "paddingLeft": "1.5em"},
    "& li": {"margin": "0.2em 0"},
    "& h2, & h3, & h4": {"margin": "1.2em 0 0.5em", "fontWeight": "700"},
    "& h2": {"fontSize": "var(--font-size-5)"},
    "& h3": {"fontSize": "var(--font-size-4)"},
    "& a": {"color": "var(--accent-11)", "textDecoration": "underline"},
    "& code": {"fontFamily": "var(--code-font-family)", "background": "var(--gray-3)", "padding": "0 0.25em"},
    "& pre": {"background": "var(--gray-3)", "padding": "0.75em", "overflowX": "auto"},
    "& pre code": {"background": "none", "padding": "0"},
    "& blockquote": {"borderLeft": "3px solid var(--gray-6)", "paddingLeft": "0.9em", "color": "var(--gray-11)"},
}


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


def _video() -> rx.Component:
    """The lesson's video: an iframe whose address the service built from a YouTube or Vimeo id (video.py)."""
    return rx.box(
        rx.el.iframe(
            src=CoursesState.video_embed_url,
            title="Lesson video: " + CoursesState.lesson_title,
            allow="encrypted-media; fullscreen; picture-in-picture",
            referrer_policy="strict-origin-when-cross-origin",
            allow_full_screen=True,
            style={"position": "absolute", "inset": "0", "width": "100%", "height": "100%", "border": "0"},
        ),
        position="relative",
        width="100%",
        padding_top="56.25%",
        border_radius="8px",
        overflow="hidden",
        background="var(--gray-4)",
    )


def _files() -> rx.Component:
    """The lesson's attachments: each downloads through a route that checks the lesson is open to this person."""
    return rx.cond(
        CoursesState.lesson_files.length() > 0,
        rx.vstack(
            rx.heading("Files", as_="h2", size="4"),
            rx.el.ul(
                rx.foreach(
                    CoursesState.lesson_files,
                    lambda item: rx.el.li(
                        rx.button(
                            rx.icon("download", size=16, aria_hidden="true"),
                            item.name,
                            rx.text(item.size, size="1", color_scheme="gray"),
                            variant="soft",
                            aria_label="Download " + item.name,
                            on_click=rx.download(url=item.url),
                        ),
                        list_style="none",
                    ),
                ),
                style={"padding": 0, "margin": 0, "display": "grid", "gap": "6px"},
                aria_label="Files",
            ),
            spacing="2",
            width="100%",
        ),
    )


def _finish() -> rx.Component:
    """How the lesson is finished: the quiz form, or "Mark complete" (a Completed badge once done)."""
    return rx.cond(
        CoursesState.is_quiz,
        quiz(),
        rx.cond(
            CoursesState.lesson_done,
            completed_badge(),
            rx.button("Mark complete", size="3", on_click=CoursesState.complete_lesson),
        ),
    )


def _lesson() -> rx.Component:
    return rx.vstack(
        rx.text(CoursesState.lesson_module, " · ", CoursesState.lesson_position, size="2", color_scheme="gray"),
        rx.heading(CoursesState.lesson_title, as_="h1", size="7"),
        # Sanitised with nh3's allow-list on the server (apps.markdown.safe_html); never raw lesson text.
        rx.cond(CoursesState.video_embed_url != "", _video()),
        rx.cond(
            CoursesState.video_file_url != "",
            rx.el.video(
                src=CoursesState.video_file_url,
                controls=True,
                preload="metadata",
                aria_label="Lesson video: " + CoursesState.lesson_title,
                style={"width": "100%", "borderRadius": "8px", "background": "var(--gray-4)"},
            ),
        ),
        rx.box(rx.html(CoursesState.lesson_html), class_name="lesson-body", width="100%", style=LESSON_TEXT),
        _files(),
        notice(CoursesState.notice),
        _finish(),
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
            rx.cond(
                CoursesState.lesson_locked_label != "",
                missing(
                    "This lesson is not open yet",
                    CoursesState.lesson_locked_label
                    + ". It opens by itself then: come back to it from the course page.",
                ),
                rx.cond(CoursesState.lesson_title != "", _lesson()),
            ),
        ),
        spacing="4",
        width="100%",
    )
