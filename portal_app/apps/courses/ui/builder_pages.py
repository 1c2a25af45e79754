"""The course builder's pages, drawn for either state: staff under /admin/apps/courses, instructors under
/apps/courses/teach. Forms are plain HTML forms with labelled fields, usable by keyboard; every
refused field gets its message beside it."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.courses.ui.builder_state import (
    ADMIN_BASE,
    TEACH_BASE,
    AdminCourseBuilderState,
    InstructorCourseBuilderState,
)
from portal_app.apps.courses.ui.lesson_page import LESSON_TEXT
from portal_app.shell.ui.forms import IMAGE_TYPES, field, file_picker, notice
from portal_app.shell.ui.lists import plain_list


def _error(message, field_id: str) -> rx.Component:
    return rx.text(message, id=f"{field_id}-error", size="2", color_scheme="red", role="alert", aria_live="polite")


def _checkbox(name: str, label: str, checked, hint: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.el.input(
                type="checkbox", name=name, id=name, default_checked=checked, style={"width": "18px", "height": "18px"}
            ),
            rx.text(label, weight="medium"),
            html_for=name,
            style={"display": "flex", "gap": "10px", "alignItems": "center"},
        ),
        rx.text(hint, size="2", color_scheme="gray"),
        spacing="1",
    )


def _textarea(label: str, name: str, value, error, hint: str, rows: int, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="portal-label"),
        rx.text_area(
            id=name,
            name=name,
            default_value=value,
            rows=str(rows),
            aria_describedby=f"{name}-hint {name}-error",
            aria_invalid=rx.cond(error != "", "true", "false"),
            width="100%",
            style={"fontFamily": "var(--code-font-family)"},
            **props,
        ),
        rx.text(hint, id=f"{name}-hint", size="2", color_scheme="gray"),
        _error(error, name),
        spacing="1",
        width="100%",
    )


def _back(State, text: str, href) -> rx.Component:
    return rx.link("← " + text, href=href, size="2")


_IMAGES = IMAGE_TYPES
_DOCUMENTS = {
    **_IMAGES,
    "application/pdf": [".pdf"],
    "application/zip": [".zip", ".docx", ".xlsx", ".pptx"],
    "text/plain": [".txt", ".md", ".csv"],
    "audio/mpeg": [".mp3"],
}
_VIDEOS = {"video/mp4": [".mp4", ".m4v"]}


def _cover(State) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Cover", as_="h2", size="4"),
            rx.cond(
                State.course_cover_url != "",
                rx.hstack(
                    rx.image(src=State.course_cover_url, alt="The course's cover", width="160px", border_radius="8px"),
                    rx.button("Remove cover", variant="soft", color_scheme="red", on_click=State.remove_cover),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
            ),
            file_picker(
                "cover-upload",
                "New cover image",
                "Upload cover",
                "PNG, JPEG, GIF or WebP, up to 5 MB. Shown on My courses.",
                _IMAGES,
                State.upload_cover,
                State.upload_errors["cover"],
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _lesson_files(State) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Files and video", as_="h2", size="4"),
            rx.cond(
                State.lesson_attachments.length() > 0,
                plain_list(
                    rx.foreach(
                        State.lesson_attachments,
                        lambda item: rx.el.li(
                            rx.hstack(
                                rx.icon("paperclip", size=16, aria_hidden="true"),
                                rx.text(item.name),
                                rx.text(item.size, size="2", color_scheme="gray"),
                                rx.button(
                                    "Remove",
                                    size="1",
                                    variant="soft",
                                    color_scheme="red",
                                    aria_label="Remove " + item.name,
                                    on_click=State.remove_attachment(item.id),
                                ),
                                align="center",
                                spacing="2",
                                wrap="wrap",
                            )
                        ),
                    ),
                    gap="8px",
                    aria_label="Attached files",
                ),
            ),
            file_picker(
                "attachment-upload",
                "Attach a file",
                "Attach file",
                "PDF, image, ZIP (also Word, Excel, PowerPoint), MP3 or plain text, up to 25 MB; 20 per lesson.",
                _DOCUMENTS,
                State.upload_attachment,
                State.upload_errors["attachment"],
            ),
            rx.cond(
                State.lesson_video_file_url != "",
                rx.hstack(
                    rx.el.video(src=State.lesson_video_file_url, controls=True, preload="metadata", width="240px"),
                    rx.button("Remove video", variant="soft", color_scheme="red", on_click=State.remove_video),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
            ),
            file_picker(
                "video-upload",
                "Upload a video",
                "Upload video",
                "MP4, up to 500 MB. A YouTube or Vimeo address above is shown instead when both are set.",
                _VIDEOS,
                State.upload_video,
                State.upload_errors["video_file"],
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# --- the course list --------------------------------------------------------------------------------------


def _course_row(row) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.hstack(
                rx.link(row.title, href=row.href, weight="medium"),
                rx.badge(row.status, color_scheme=rx.cond(row.status == "Published", "green", "gray")),
                rx.spacer(),
                rx.text(row.lessons, " lessons · ", row.enrolled, " enrolled", size="2", color_scheme="gray"),
                align="center",
                wrap="wrap",
                width="100%",
            )
        )
    )


def courses_list(State) -> rx.Component:
    return rx.vstack(
        rx.heading("Course builder", as_="h1", size="7"),
        rx.text("Create courses, write lessons and quizzes, and choose who is enrolled.", color_scheme="gray"),
        rx.cond(
            State.editor_ready,
            rx.vstack(
                rx.form(
                    rx.hstack(
                        rx.box(
                            field("New course title", "new_title", error=State.new_course_error, max_length=200),
                            flex="1",
                        ),
                        rx.button("Create course", type="submit", size="3"),
                        align="start",
                        width="100%",
                        wrap="wrap",
                    ),
                    on_submit=State.create_course,
                    reset_on_submit=True,
                    width="100%",
                ),
                rx.cond(
                    State.builder_courses.length() > 0,
                    plain_list(rx.foreach(State.builder_courses, _course_row), gap="8px", aria_label="Courses"),
                    rx.text("No courses yet. Give the first one a title above."),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


# --- one course -------------------------------------------------------------------------------------------


def _course_form(State) -> rx.Component:
    errors = State.course_errors
    return rx.form(
        rx.vstack(
            field("Title", "title", error=errors["title"], default_value=State.course_title, max_length=200),
            field(
                "Course address",
                "slug",
                error=errors["slug"],
                default_value=State.course_slug,
                hint="Lower-case letters, digits and hyphens: the course's web address.",
                max_length=80,
            ),
            _textarea(
                "Description",
                "description",
                State.course_description,
                errors["description"],
                "A few sentences for My courses.",
                3,
            ),
            _checkbox(
                "published", "Published", State.course_published, "Members with access see it. Drafts are hidden."
            ),
            _checkbox(
                "for_everyone",
                "Open to everyone with the app",
                State.course_for_everyone,
                "No enrolment needed: it appears under Open to you.",
            ),
            _checkbox(
                "certificate_enabled",
                "Certificate on completion",
                State.course_certificate,
                "Completing every lesson issues a certificate anyone with the link can check.",
            ),
            rx.button("Save course", type="submit", size="3"),
            spacing="3",
            width="100%",
        ),
        key=State.form_version,
        on_submit=State.save_course,
        width="100%",
    )


def _move_buttons(up_label, down_label, move, item) -> tuple[rx.Component, rx.Component]:
    """Up and down, for a module or a lesson (named by the labels, for screen readers)."""
    return tuple(
        rx.icon_button(
            rx.icon(f"arrow-{direction}", size=16),
            size="1",
            variant="soft",
            aria_label=label,
            on_click=move(item, direction),
        )
        for label, direction in ((up_label, "up"), (down_label, "down"))
    )


def _delete_button(label, title: str, description, confirm: str, on_confirm) -> rx.Component:
    """A delete button that asks first, saying what goes with it."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.icon_button(rx.icon("trash-2", size=16), size="1", variant="soft", color_scheme="red", aria_label=label)
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm, color_scheme="red", on_click=on_confirm)),
                justify="end",
                spacing="3",
            ),
        ),
    )


def _lesson_item(State, lesson) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.link(lesson.title, href=lesson.href),
            rx.cond(lesson.is_quiz, rx.badge("Quiz", color_scheme="violet", variant="soft")),
            rx.cond(lesson.drip != "", rx.badge(lesson.drip, color_scheme="gray", variant="soft")),
            rx.spacer(),
            *_move_buttons("Move up: " + lesson.title, "Move down: " + lesson.title, State.move_lesson, lesson.slug),
            _delete_button(
                "Delete: " + lesson.title,
                "Delete this lesson?",
                rx.fragment(
                    "\u201c", lesson.title, "\u201d goes, with its quiz attempts and everyone's completion of it."
                ),
                "Delete lesson",
                State.delete_lesson(lesson.slug),
            ),
            align="center",
            spacing="2",
            width="100%",
            wrap="wrap",
        ),
        style={"padding": "6px 0", "borderBottom": "1px solid var(--gray-4)"},
    )


def _module_card(State, module) -> rx.Component:
    prefix = "module-" + module.id.to_string()
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(module.title, as_="h3", size="4"),
                rx.cond(module.drip != "", rx.badge(module.drip, color_scheme="gray", variant="soft")),
                rx.spacer(),
                *_move_buttons(
                    "Move module up: " + module.title, "Move module down: " + module.title, State.move_module, module.id
                ),
                _delete_button(
                    "Delete module: " + module.title,
                    "Delete this module?",
                    rx.fragment(
                        "\u201c", module.title, "\u201d goes with all its lessons and everyone's progress in them."
                    ),
                    "Delete module",
                    State.delete_module(module.id),
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            plain_list(rx.foreach(module.lessons, lambda lesson: _lesson_item(State, lesson)), ordered=True),
            rx.el.details(
                rx.el.summary("Rename or drip this module"),
                rx.form(
                    rx.hstack(
                        rx.vstack(
                            rx.el.label("Module title", html_for=prefix + "-title", class_name="portal-label"),
                            rx.input(id=prefix + "-title", name="title", default_value=module.title, max_length=200),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.el.label("Days after enrolment", html_for=prefix + "-days", class_name="portal-label"),
                            rx.input(
                                id=prefix + "-days",
                                name="unlock_after_days",
                                default_value=module.unlock_after_days,
                                input_mode="numeric",
                                width="120px",
                            ),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.el.label("Unlock date", html_for=prefix + "-date", class_name="portal-label"),
                            rx.input(
                                id=prefix + "-date", name="unlock_on", type="date", default_value=module.unlock_on
                            ),
                            spacing="1",
                        ),
                        rx.button("Save module", type="submit", variant="soft"),
                        align="end",
                        wrap="wrap",
                        spacing="3",
                    ),
                    rx.el.input(type="hidden", name="module_id", value=module.id),
                    # The module rides in the form: a form's submit handler is compiled outside the loop.
                    on_submit=State.save_module,
                    padding_top="8px",
                ),
            ),
            rx.form(
                rx.hstack(
                    rx.vstack(
                        rx.el.label("New lesson title", html_for=prefix + "-new", class_name="portal-label"),
                        rx.input(id=prefix + "-new", name="lesson_title", max_length=200),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.el.label("Kind", html_for=prefix + "-kind", class_name="portal-label"),
                        rx.el.select(
                            rx.el.option("Lesson", value="lesson"),
                            rx.el.option("Quiz", value="quiz"),
                            id=prefix + "-kind",
                            name="kind",
                            class_name="portal-select",
                        ),
                        spacing="1",
                    ),
                    rx.button("Add lesson", type="submit", variant="soft"),
                    align="end",
                    wrap="wrap",
                    spacing="3",
                ),
                rx.el.input(type="hidden", name="module_id", value=module.id),
                on_submit=State.add_lesson,
                reset_on_submit=True,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _danger_zone(State) -> rx.Component:
    return rx.el.details(
        rx.el.summary("Delete this course"),
        rx.form(
            rx.vstack(
                rx.text(
                    "This deletes the course with every enrolment, completion, quiz attempt and certificate in it."
                ),
                field(
                    "Type the course's address to confirm",
                    "confirm",
                    error=State.course_errors["confirm"],
                    autocomplete="off",
                ),
                rx.button("Delete course for good", type="submit", color_scheme="red"),
                spacing="2",
                align="start",
            ),
            on_submit=State.delete_course,
            padding_top="8px",
        ),
    )


def course_editor(State) -> rx.Component:
    return rx.vstack(
        _back(State, "All courses", State.base_path),
        rx.cond(
            State.course_missing,
            rx.heading("There is no such course", as_="h1", size="6"),
            rx.cond(
                State.course_slug != "",
                rx.vstack(
                    rx.hstack(
                        rx.heading(State.course_title, as_="h1", size="7"),
                        rx.badge(rx.cond(State.course_published, "Published", "Draft")),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.hstack(
                        rx.link("Members and progress", href=State.base_path + "/" + State.course_slug + "/members"),
                        rx.cond(
                            State.course_published,
                            rx.button("Unpublish", variant="soft", on_click=State.set_published(False)),
                            rx.button("Publish", on_click=State.set_published(True)),
                        ),
                        align="center",
                        spacing="4",
                        wrap="wrap",
                    ),
                    notice(State.builder_notice),
                    rx.cond(
                        State.module_error != "",
                        rx.callout(State.module_error, color_scheme="red", role="alert", width="100%"),
                    ),
                    _course_form(State),
                    _cover(State),
                    rx.heading("Modules and lessons", as_="h2", size="5"),
                    rx.foreach(State.course_modules, lambda module: _module_card(State, module)),
                    rx.form(
                        rx.hstack(
                            rx.box(field("New module title", "module_title", error="", max_length=200), flex="1"),
                            rx.button("Add module", type="submit", variant="soft", size="3"),
                            align="start",
                            wrap="wrap",
                            width="100%",
                        ),
                        on_submit=State.add_module,
                        reset_on_submit=True,
                        width="100%",
                    ),
                    _danger_zone(State),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


# --- one lesson -------------------------------------------------------------------------------------------


def _quiz_fields(State) -> rx.Component:
    errors = State.lesson_errors
    return rx.vstack(
        rx.heading("Quiz", as_="h2", size="5"),
        _textarea(
            "Questions",
            "quiz_text",
            State.lesson_quiz_text,
            errors["questions"],
            "Q: for a question with one answer, Q (several): when several may be right; then one answer per line, "
            "[x] for right and [ ] for wrong. A blank line between questions.",
            10,
        ),
        rx.hstack(
            field(
                "Pass mark (%)",
                "pass_percent",
                error=errors["pass_percent"],
                default_value=State.lesson_pass_percent,
                input_mode="numeric",
            ),
            field(
                "Attempts allowed",
                "max_attempts",
                error=errors["max_attempts"],
                default_value=State.lesson_max_attempts,
                hint="0 for no limit.",
                input_mode="numeric",
            ),
            width="100%",
            spacing="4",
        ),
        _checkbox("show_answers", "Show which answers were wrong", State.lesson_show_answers, "After each attempt."),
        spacing="3",
        width="100%",
    )


def _lesson_form(State) -> rx.Component:
    errors = State.lesson_errors
    return rx.form(
        rx.vstack(
            field("Title", "title", error=errors["title"], default_value=State.lesson_title, max_length=200),
            field(
                "Lesson address",
                "slug",
                error=errors["slug"],
                default_value=State.lesson_slug,
                hint="Lower-case letters, digits and hyphens, unique in the course.",
                max_length=80,
            ),
            _textarea(
                "Lesson text (Markdown)",
                "body",
                State.lesson_body,
                errors["body"],
                "Headings with #, **bold**, lists, links and images; HTML shows as text. "
                "The preview follows when you leave this box.",
                14,
                on_blur=State.preview_lesson,
            ),
            field(
                "Video address",
                "video_url",
                error=errors["video_url"],
                default_value=State.lesson_video_url,
                hint="A YouTube or Vimeo address, or leave it empty.",
                max_length=500,
            ),
            rx.hstack(
                field(
                    "Unlock after (days)",
                    "unlock_after_days",
                    error=errors["unlock_after_days"],
                    default_value=State.lesson_unlock_after_days,
                    hint="Days after enrolment. Empty: at once.",
                    input_mode="numeric",
                ),
                field(
                    "Unlock on",
                    "unlock_on",
                    error=errors["unlock_on"],
                    default_value=State.lesson_unlock_on,
                    input_type="date",
                    hint="Midnight in the business's time zone.",
                ),
                width="100%",
                spacing="4",
                wrap="wrap",
            ),
            rx.cond(State.lesson_kind == "quiz", _quiz_fields(State)),
            rx.button("Save lesson", type="submit", size="3"),
            spacing="3",
            width="100%",
        ),
        key=State.form_version,
        on_submit=State.save_lesson,
        width="100%",
    )


def lesson_editor(State) -> rx.Component:
    return rx.vstack(
        _back(State, "Back to the course", State.base_path + "/" + State.course_slug),
        rx.cond(
            State.lesson_missing,
            rx.heading("There is no such lesson", as_="h1", size="6"),
            rx.cond(
                State.lesson_slug != "",
                rx.vstack(
                    rx.text(State.course_title, size="2", color_scheme="gray"),
                    rx.heading("Edit: ", State.lesson_title, as_="h1", size="7"),
                    notice(State.builder_notice),
                    rx.grid(
                        rx.vstack(_lesson_form(State), _lesson_files(State), spacing="4", width="100%"),
                        rx.vstack(
                            rx.heading("Preview", as_="h2", size="4"),
                            rx.text("Exactly as members will see it.", size="2", color_scheme="gray"),
                            rx.card(
                                rx.box(rx.html(State.preview_html), class_name="lesson-preview", style=LESSON_TEXT),
                                width="100%",
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        columns={"initial": "1", "md": "2"},
                        spacing="5",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


# --- members and progress ---------------------------------------------------------------------------------


def _member_row(State, member) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(member.name, weight="medium"), rx.text(member.email, size="1", color_scheme="gray")),
        rx.table.cell(member.progress, " (", member.percent, "%)"),
        rx.table.cell(member.last_activity),
        rx.table.cell(member.quizzes),
        rx.table.cell(
            rx.button(
                "Unenrol",
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label="Unenrol " + member.name,
                on_click=State.unenrol(member.account_id),
            )
        ),
    )


def _candidate(candidate) -> rx.Component:
    return rx.el.li(
        rx.el.label(
            rx.el.input(
                type="checkbox",
                name=candidate.field_id,
                id=candidate.field_id,
                style={"width": "18px", "height": "18px"},
            ),
            rx.text(candidate.label),
            html_for=candidate.field_id,
            style={"display": "flex", "gap": "10px", "alignItems": "center"},
        )
    )


def members_page(State) -> rx.Component:
    return rx.vstack(
        _back(State, "Back to the course", State.base_path + "/" + State.course_slug),
        rx.cond(
            State.course_missing,
            rx.heading("There is no such course", as_="h1", size="6"),
            rx.cond(
                State.editor_ready,
                rx.vstack(
                    rx.heading("Members: ", State.course_title, as_="h1", size="7"),
                    rx.text(State.members_enrolled, " enrolled", color_scheme="gray"),
                    notice(State.builder_notice),
                    rx.card(
                        rx.vstack(
                            rx.heading("Enrol people", as_="h2", size="4"),
                            rx.form(
                                rx.hstack(
                                    rx.box(
                                        field("Find people with the app", "person_query", error="", max_length=100),
                                        flex="1",
                                    ),
                                    rx.button("Search", type="submit", variant="soft", size="3"),
                                    align="start",
                                    width="100%",
                                ),
                                on_submit=State.search_people,
                                width="100%",
                            ),
                            rx.cond(
                                State.candidates.length() > 0,
                                rx.form(
                                    plain_list(
                                        rx.foreach(State.candidates, _candidate), gap="8px", aria_label="People found"
                                    ),
                                    rx.button("Enrol selected", type="submit", margin_top="8px"),
                                    on_submit=State.enrol_selected,
                                    width="100%",
                                ),
                            ),
                            _error(State.enrol_error, "enrol"),
                            rx.hstack(
                                rx.button(
                                    "Enrol everyone with the app", variant="outline", on_click=State.enrol_everyone
                                ),
                                rx.button(
                                    "Download progress (CSV)", variant="outline", on_click=State.download_progress
                                ),
                                spacing="3",
                                wrap="wrap",
                            ),
                            spacing="3",
                            width="100%",
                        ),
                        width="100%",
                    ),
                    rx.form(
                        rx.hstack(
                            rx.box(field("Filter members", "member_query", error="", max_length=100), flex="1"),
                            rx.button("Filter", type="submit", variant="soft", size="3"),
                            align="start",
                            width="100%",
                        ),
                        on_submit=State.filter_members,
                        width="100%",
                    ),
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Member"),
                                    rx.table.column_header_cell("Lessons done"),
                                    rx.table.column_header_cell("Last activity"),
                                    rx.table.column_header_cell("Quizzes"),
                                    rx.table.column_header_cell(rx.el.span("Actions", class_name="sr-only")),
                                )
                            ),
                            rx.table.body(rx.foreach(State.members, lambda member: _member_row(State, member))),
                            width="100%",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    rx.cond(
                        State.members_next_after != 0,
                        rx.button("Show more", variant="soft", on_click=State.more_members),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


# --- the pages as the registry names them -----------------------------------------------------------------


def admin_courses_page() -> rx.Component:
    return courses_list(AdminCourseBuilderState)


def admin_course_page() -> rx.Component:
    return course_editor(AdminCourseBuilderState)


def admin_lesson_page() -> rx.Component:
    return lesson_editor(AdminCourseBuilderState)


def admin_members_page() -> rx.Component:
    return members_page(AdminCourseBuilderState)


def teach_courses_page() -> rx.Component:
    return courses_list(InstructorCourseBuilderState)


def teach_course_page() -> rx.Component:
    return course_editor(InstructorCourseBuilderState)


def teach_lesson_page() -> rx.Component:
    return lesson_editor(InstructorCourseBuilderState)


def teach_members_page() -> rx.Component:
    return members_page(InstructorCourseBuilderState)


__all__ = ["ADMIN_BASE", "TEACH_BASE"]
