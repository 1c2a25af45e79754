"""Quizzes, drip and certificates through the real Reflex event pipeline: the quiz form, a locked lesson's page,
and the public certificate page (signed out)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.apps.courses import service
from portal_app.apps.courses.building import ChoiceSpec, LessonSpec, ModuleSpec, QuestionSpec
from portal_app.apps.courses.models import Certificate, LessonCompletion, QuizAttempt, QuizChoice, QuizQuestion
from portal_app.apps.courses.ui.certificate_state import CertificateState
from portal_app.apps.courses.ui.courses_state import CoursesState, answers_from_form
from portal_app.kernel import db
from tests.apps.courses.support import make_course
from tests.apps.courses.test_courses_state import cookie_for
from tests.apps.support import add_account, grant, set_business
from tests.support.hostile_input import assert_nothing_crashed

QUIZ = LessonSpec(
    "check",
    "Quick check",
    "Two questions.",
    kind="quiz",
    pass_percent=100,
    max_attempts=2,
    show_answers=True,
    questions=(
        QuestionSpec("Flour or sand?", (ChoiceSpec("Flour", True), ChoiceSpec("Sand"))),
        QuestionSpec("Which rise?", (ChoiceSpec("Bread", True), ChoiceSpec("Brioche", True), ChoiceSpec("Rock")), True),
    ),
)
MODULES = (
    ModuleSpec("Bread", (LessonSpec("bread-1", "Bread 1", "Knead."), QUIZ)),
    ModuleSpec("Later", (LessonSpec("later", "Later", "Patience.", unlock_after_days=3),)),
)


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model)))


def choice_ids() -> dict[str, int]:
    with db.read_session() as session:
        return {choice.text: choice.id for choice in session.exec(select(QuizChoice))}


def question_ids() -> list[int]:
    with db.read_session() as session:
        return [question.id for question in session.exec(select(QuizQuestion).order_by(QuizQuestion.position))]


def form(**chosen: list[str]) -> dict[str, str]:
    """The quiz form as the browser sends it: a radio button's name and value, or a check box's name and "on"."""
    first, second = question_ids()
    ids = choice_ids()
    data = {f"q-{first}": str(ids[text]) for text in chosen.get("first", [])}
    data.update({f"q-{second}-{ids[text]}": "on" for text in chosen.get("second", [])})
    return data


@pytest.fixture
def member(pipeline, frozen_clock) -> int:
    set_business(enabled_apps=["courses"])
    account = add_account()
    grant(account, "courses")
    make_course(modules=MODULES, certificate_enabled=True)
    service.enrol(account, "baking")
    return account


async def test_the_quiz_page_shows_questions_without_their_answers(pipeline, caplog, profiles, member):
    client = await pipeline.connect("/apps/courses/baking/check", cookie=cookie_for(member))
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CoursesState)
    assert (state.is_quiz, state.quiz_can_attempt, state.quiz_info) == (
        True,
        True,
        "Pass mark 100%. 2 of 2 attempts left.",
    )
    first, second = state.quiz_questions
    assert (first.prompt, first.multiple, [c.text for c in first.choices]) == (
        "Flour or sand?",
        False,
        ["Flour", "Sand"],
    )
    assert second.multiple and [c.value for c in second.choices] == ["on", "on", "on"]
    assert "correct" not in str(state.dict())


async def test_a_failed_attempt_marks_the_wrong_question_then_a_pass_completes_the_course(
    pipeline, caplog, profiles, member, frozen_clock
):
    service.complete_lesson(member, "baking", "bread-1")
    frozen_clock.advance(days=3)
    service.complete_lesson(member, "baking", "later")
    client = await pipeline.connect("/apps/courses/baking/check", cookie=cookie_for(member))

    await client.send(CoursesState.submit_quiz, {"form_data": form(first=["Flour"], second=["Bread"])})
    state = await client.state(CoursesState)
    assert state.quiz_result == "Not passed yet. You scored 50% (1 of 2 right). The questions marked below were wrong."
    assert [question.wrong for question in state.quiz_questions] == [False, True]
    assert (state.quiz_info, state.quiz_passed, len(rows(QuizAttempt))) == ("Pass mark 100%. 1 attempt left.", False, 1)

    await client.send(CoursesState.submit_quiz, {"form_data": form(first=["Flour"], second=["Bread", "Brioche"])})
    assert_nothing_crashed(pipeline, caplog)
    state = await client.state(CoursesState)
    assert (state.quiz_passed, state.quiz_can_attempt, state.course_just_completed) == (True, False, True)
    assert state.quiz_result == "You passed. You scored 100% (2 of 2 right)."
    [certificate] = rows(Certificate)
    assert state.certificate_href == f"/certificates/{certificate.code}"
    assert len(rows(LessonCompletion)) == 3


async def test_incomplete_or_foreign_answers_get_a_message_and_store_nothing(pipeline, caplog, profiles, member):
    client = await pipeline.connect("/apps/courses/baking/check", cookie=cookie_for(member))
    for bad in (
        {},
        form(first=["Flour"]),
        {**form(first=["Flour"], second=["Bread"]), f"q-{question_ids()[0]}": "999999"},
        "not a form",
        {f"q-{question_ids()[0]}": ["1", "2"], "q-x": {"$ne": 1}},
    ):
        await client.send(CoursesState.submit_quiz, {"form_data": bad})
        state = await client.state(CoursesState)
        assert state.quiz_error.startswith("Answer question") or state.quiz_error.startswith("Question ")
    assert_nothing_crashed(pipeline, caplog)
    assert rows(QuizAttempt) == [] and rows(LessonCompletion) == []


async def test_mark_complete_is_refused_on_a_quiz(pipeline, caplog, profiles, member):
    client = await pipeline.connect("/apps/courses/baking/check", cookie=cookie_for(member))
    await client.send(CoursesState.complete_lesson, {})
    assert (await client.state(CoursesState)).notice == "Pass the quiz to complete this lesson."
    assert rows(LessonCompletion) == []
    assert_nothing_crashed(pipeline, caplog)


async def test_a_locked_lesson_says_when_it_unlocks_and_refuses_mark_complete(pipeline, caplog, profiles, member):
    client = await pipeline.connect("/apps/courses/baking/later", cookie=cookie_for(member))
    state = await client.state(CoursesState)
    assert (state.lesson_locked_label, state.lesson_title, state.lesson_html) == (
        "Unlocks 18 Jan, in 3 days",
        "",
        "",
    )
    await client.send(CoursesState.complete_lesson, {})
    assert rows(LessonCompletion) == []
    outline = await pipeline.connect("/apps/courses/baking", cookie=cookie_for(member))
    later = (await outline.state(CoursesState)).modules[1].lessons[0]
    assert (later.title, later.locked_label) == ("Later", "Unlocks 18 Jan, in 3 days")
    assert_nothing_crashed(pipeline, caplog)


async def test_the_certificate_page_opens_signed_out_and_refuses_other_codes(
    pipeline, caplog, profiles, member, frozen_clock
):
    service.complete_lesson(member, "baking", "bread-1")
    frozen_clock.advance(days=3)
    service.complete_lesson(member, "baking", "later")
    ids = choice_ids()
    first, second = question_ids()
    service.submit_quiz(
        member, "baking", "check", {str(first): [ids["Flour"]], str(second): [ids["Bread"], ids["Brioche"]]}
    )
    [certificate] = rows(Certificate)

    visitor = await pipeline.connect(f"/certificates/{certificate.code}")
    state = await visitor.state(CertificateState)
    assert (state.recipient_name, state.course_title, state.missing) == ("Ada Lovelace", "Baking basics", False)
    assert state.pdf_href == f"/api/apps/courses/certificates/{certificate.code}.pdf"
    for path in ("/certificates/AAAAAAAAAAAAAAAA", "/certificates/..%2F..%2Fetc", "/certificates/" + "x" * 3000):
        stranger = await pipeline.connect(path)
        state = await stranger.state(CertificateState)
        assert (state.missing, state.recipient_name) == (True, "")
    assert_nothing_crashed(pipeline, caplog)


def test_the_form_is_read_into_answers_and_everything_else_ignored():
    assert answers_from_form({"q-7": "12", "q-8-3": "on", "q-8-4": "on", "q-8-5": "", "name": "x", "q-9-1": True}) == {
        "7": ["12"],
        "8": ["3", "4"],
        "9": ["1"],
    }
    assert answers_from_form({"q-7": ["1"], "q-1e9": "1", "q--1": "2"}) == {}
    assert answers_from_form(None) == {} and answers_from_form({f"q-{n}": "1" for n in range(1001)}) == {}
