"""A quiz lesson's form: each question a fieldset of radio buttons (one answer) or check boxes (several),
with native inputs and labels so it works by keyboard and screen reader alike."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.courses.ui.components import completed_badge
from portal_app.apps.courses.ui.courses_state import CoursesState

_INPUT_STYLE = {"width": "18px", "height": "18px", "margin": "0", "accentColor": "var(--accent-9)", "flexShrink": "0"}


def _choice(choice, multiple) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type=rx.cond(multiple, "checkbox", "radio"),
            name=choice.name,
            value=choice.value,
            id=choice.field_id,
            style=_INPUT_STYLE,
        ),
        rx.text(choice.text),
        html_for=choice.field_id,
        style={"display": "flex", "gap": "10px", "alignItems": "center", "padding": "6px 0", "cursor": "pointer"},
    )


def _question(question) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(
            rx.text(
                "Question ",
                question.number,
                ": ",
                question.prompt,
                rx.cond(question.multiple, " (choose every right answer)", ""),
                weight="medium",
            ),
            style={"padding": "0", "marginBottom": "6px"},
        ),
        rx.cond(
            question.wrong,
            rx.text("Wrong in your last attempt", size="2", color_scheme="red", class_name="quiz-wrong"),
        ),
        rx.foreach(question.choices, lambda choice: _choice(choice, question.multiple)),
        style={
            "border": "1px solid var(--gray-6)",
            "borderRadius": "8px",
            "padding": "12px 16px",
            "margin": "0",
            "minWidth": "0",
            "width": "100%",
        },
        aria_invalid=rx.cond(question.wrong, "true", "false"),
    )


def quiz() -> rx.Component:
    return rx.vstack(
        rx.text(CoursesState.quiz_info, size="2", color_scheme="gray", class_name="quiz-info"),
        rx.cond(
            CoursesState.quiz_result != "",
            # Two callouts with fixed icons: an icon named by a var makes Reflex ship lucide's whole
            # icon map (DynamicIcon) with the lesson page.
            rx.cond(
                CoursesState.quiz_passed,
                rx.callout(CoursesState.quiz_result, icon="circle-check", color_scheme="green", width="100%", role="status"),
                rx.callout(CoursesState.quiz_result, icon="circle-alert", color_scheme="amber", width="100%", role="status"),
            ),
        ),
        rx.cond(CoursesState.quiz_passed, completed_badge()),
        rx.cond(
            CoursesState.quiz_can_attempt,
            rx.form(
                rx.vstack(
                    rx.foreach(CoursesState.quiz_questions, _question),
                    rx.cond(
                        CoursesState.quiz_error != "",
                        rx.text(
                            CoursesState.quiz_error, color_scheme="red", size="2", id="answers-error", role="alert"
                        ),
                    ),
                    rx.button("Submit answers", type="submit", size="3"),
                    spacing="3",
                    width="100%",
                ),
                key=CoursesState.quiz_version,
                on_submit=CoursesState.submit_quiz,
                reset_on_submit=False,
                width="100%",
            ),
            rx.cond(
                CoursesState.quiz_error != "",
                rx.text(CoursesState.quiz_error, color_scheme="red", size="2", id="answers-error", role="alert"),
            ),
        ),
        spacing="3",
        width="100%",
    )
