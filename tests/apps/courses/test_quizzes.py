"""Quizzes: attempts are stored, passing completes the lesson, limits hold, and no payload gets past the checks."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

import pytest
from sqlmodel import select

from portal_app.apps.courses import building, quizzes, service
from portal_app.apps.courses.building import ChoiceSpec, LessonSpec, ModuleSpec, QuestionSpec
from portal_app.apps.courses.models import (
    Course,
    Enrolment,
    Lesson,
    LessonCompletion,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.timeline import service as activity
from tests.apps.courses.support import make_course
from tests.apps.support import add_account

QUESTIONS = (
    QuestionSpec(
        "Which flour makes the best bread?",
        (ChoiceSpec("Strong flour", correct=True), ChoiceSpec("Cake flour"), ChoiceSpec("Rice flour")),
    ),
    QuestionSpec(
        "Which of these make dough rise?",
        (ChoiceSpec("Yeast", correct=True), ChoiceSpec("Sourdough starter", correct=True), ChoiceSpec("Salt")),
        multiple=True,
    ),
    QuestionSpec("How long does dough prove?", (ChoiceSpec("About an hour", correct=True), ChoiceSpec("A minute"))),
)


def quiz_lesson(slug: str = "check", **settings) -> LessonSpec:
    return LessonSpec(slug, "Check your bread", "Answer these.", kind="quiz", questions=QUESTIONS, **settings)


def make_quiz_course(slug: str = "baking", *, for_everyone: bool = False, **settings) -> str:
    return make_course(
        slug,
        for_everyone=for_everyone,
        modules=(
            ModuleSpec("Bread", (LessonSpec("bread-1", "Bread 1", "Knead."), quiz_lesson(**settings))),
            ModuleSpec("Cakes", (LessonSpec("cake-1", "Cake 1", "Whisk."),)),
        ),
    )


@dataclass(frozen=True)
class Quiz:
    """A quiz's questions and choices straight from the tables (what the test knows and members never see)."""

    # [(question id, multiple, [(choice id, text, correct)])], in order.
    questions: list[tuple[int, bool, list[tuple[int, str, bool]]]]

    def right(self) -> dict[str, list[int]]:
        return {str(qid): [cid for cid, _, ok in choices if ok] for qid, _, choices in self.questions}

    def wrong_on(self, *numbers: int) -> dict[str, list[int]]:
        """Right answers except for the questions numbered (0-based), which get their first wrong choice."""
        answers = self.right()
        for number in numbers:
            qid, _, choices = self.questions[number]
            answers[str(qid)] = [next(cid for cid, _, ok in choices if not ok)]
        return answers

    def qid(self, number: int) -> int:
        return self.questions[number][0]

    def choice(self, number: int, text: str) -> int:
        return next(cid for cid, label, _ in self.questions[number][2] if label == text)


def quiz(course: str = "baking", lesson: str = "check") -> Quiz:
    with db.read_session() as session:
        lesson_id = session.exec(
            select(Lesson.id)
            .join(Course, Course.id == Lesson.course_id)
            .where(Course.slug == course, Lesson.slug == lesson)
        ).one()
        questions = session.exec(
            select(QuizQuestion).where(QuizQuestion.lesson_id == lesson_id).order_by(QuizQuestion.position)
        ).all()
        return Quiz(
            [
                (
                    question.id,
                    question.multiple,
                    [
                        (choice.id, choice.text, choice.correct)
                        for choice in session.exec(
                            select(QuizChoice)
                            .where(QuizChoice.question_id == question.id)
                            .order_by(QuizChoice.position)
                        )
                    ],
                )
                for question in questions
            ]
        )


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model).order_by(model.id)))


def kinds(account_id: int) -> list[str]:
    return [item.kind for item in activity.timeline(account_id, app_key="courses", limit=100).items]


@pytest.fixture
def ada(database, frozen_clock) -> int:
    return add_account()


def enrolled_in_quiz(account_id: int, **settings) -> Quiz:
    make_quiz_course(**settings)
    service.enrol(account_id, "baking")
    return quiz()


# --- attempts, passing and failing ---------------------------------------------------------------------


def test_an_attempt_below_the_pass_mark_is_stored_and_completes_nothing(ada, frozen_clock):
    the_quiz = enrolled_in_quiz(ada, pass_percent=70, max_attempts=3)
    submitted = service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(1, 2))
    assert (submitted.result.score_percent, submitted.result.passed) == (33, False)
    assert (submitted.result.correct_count, submitted.result.question_count) == (1, 3)
    assert (submitted.attempts_left, submitted.course_completed, submitted.up_next) == (2, False, None)
    assert submitted.certificate_code is None

    [attempt] = rows(QuizAttempt)
    assert (attempt.account_id, attempt.score_percent, attempt.passed) == (ada, 33, False)
    assert attempt.answers == the_quiz.wrong_on(1, 2) and attempt.submitted_at == frozen_clock.current
    assert rows(LessonCompletion) == [] and kinds(ada) == ["course_enrolled"]

    view = service.lesson_view(ada, "baking", "check")
    assert view.done is False and view.kind == "quiz"
    assert (view.quiz.attempts_used, view.quiz.attempts_left, view.quiz.passed) == (1, 2, False)
    assert (view.quiz.best_score, view.quiz.last.score_percent, view.quiz.can_attempt) == (33, 33, True)


def test_two_of_three_right_fails_a_70_percent_quiz(ada):
    the_quiz = enrolled_in_quiz(ada, pass_percent=70)
    submitted = service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(0))
    assert (submitted.result.score_percent, submitted.result.passed, submitted.attempts_left) == (66, False, None)
    assert rows(LessonCompletion) == []


def test_a_score_exactly_at_the_pass_mark_passes(ada):
    the_quiz = enrolled_in_quiz(ada, pass_percent=66)
    submitted = service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(2))
    assert (submitted.result.score_percent, submitted.result.passed) == (66, True)
    assert len(rows(LessonCompletion)) == 1


def test_passing_completes_the_lesson_and_says_what_is_next(ada, frozen_clock):
    the_quiz = enrolled_in_quiz(ada, max_attempts=3)
    service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(0))
    frozen_clock.advance(minutes=5)
    submitted = service.submit_quiz(ada, "baking", "check", the_quiz.right())
    assert (submitted.result.score_percent, submitted.result.passed, submitted.attempts_left) == (100, True, 1)
    assert submitted.up_next.slug == "cake-1" and submitted.course_completed is False

    [completion] = rows(LessonCompletion)
    with db.read_session() as session:
        assert session.get(Lesson, completion.lesson_id).slug == "check"
    assert completion.completed_at == frozen_clock.current
    assert [attempt.passed for attempt in rows(QuizAttempt)] == [False, True]
    assert kinds(ada) == ["lesson_completed", "quiz_passed", "course_enrolled"]
    timeline = activity.timeline(ada, app_key="courses").items
    assert (timeline[1].summary, timeline[1].label) == ("Check your bread (Baking basics): 100%", "Passed a quiz")

    view = service.lesson_view(ada, "baking", "check")
    assert (view.done, view.quiz.passed, view.quiz.can_attempt, view.quiz.best_score) == (True, True, False, 100)
    outline = service.course_outline(ada, "baking")
    assert (outline.lessons_done, outline.lessons_total, outline.next_lesson.slug) == (1, 3, "bread-1")


def test_the_quiz_that_finishes_the_course_completes_it(ada):
    the_quiz = enrolled_in_quiz(ada)
    service.complete_lesson(ada, "baking", "bread-1")
    service.complete_lesson(ada, "baking", "cake-1")
    submitted = service.submit_quiz(ada, "baking", "check", the_quiz.right())
    assert (submitted.course_completed, submitted.up_next) == (True, None)
    assert kinds(ada).count("course_completed") == 1
    [card] = service.my_courses(ada)
    assert (card.completed, card.percent) == (True, 100)


def test_a_multiple_choice_question_is_right_only_with_exactly_its_right_answers(ada):
    the_quiz = enrolled_in_quiz(ada, pass_percent=100, show_answers=True)
    yeast, starter, salt = (the_quiz.choice(1, text) for text in ("Yeast", "Sourdough starter", "Salt"))
    for picked in ([yeast], [yeast, starter, salt], [salt]):
        answers = {**the_quiz.right(), str(the_quiz.qid(1)): picked}
        result = service.submit_quiz(ada, "baking", "check", answers).result
        assert (result.passed, result.correct_count, result.wrong_question_ids) == (False, 2, (the_quiz.qid(1),))
    answers = {**the_quiz.right(), str(the_quiz.qid(1)): [starter, yeast]}
    assert service.submit_quiz(ada, "baking", "check", answers).result.passed is True


def test_choice_ids_may_come_as_text_or_a_single_value_as_a_form_sends_them(ada):
    the_quiz = enrolled_in_quiz(ada)
    right = the_quiz.right()
    answers = {
        str(the_quiz.qid(0)): str(right[str(the_quiz.qid(0))][0]),
        the_quiz.qid(1): tuple(str(cid) for cid in right[str(the_quiz.qid(1))]),
        str(the_quiz.qid(2)): right[str(the_quiz.qid(2))][0],
    }
    assert service.submit_quiz(ada, "baking", "check", answers).result.passed is True
    [attempt] = rows(QuizAttempt)
    assert attempt.answers == {key: sorted(value) for key, value in right.items()}


def test_answers_to_questions_the_quiz_does_not_have_are_not_stored(ada):
    the_quiz = enrolled_in_quiz(ada)
    service.submit_quiz(ada, "baking", "check", {**the_quiz.right(), "999999": [1, 2, 3], "note": "<script>"})
    [attempt] = rows(QuizAttempt)
    assert attempt.answers == the_quiz.right()


# --- limits --------------------------------------------------------------------------------------------


def test_no_attempt_is_taken_once_the_limit_is_used(ada):
    the_quiz = enrolled_in_quiz(ada, max_attempts=2)
    assert service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(0)).attempts_left == 1
    assert service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(1)).attempts_left == 0
    with pytest.raises(FieldError) as refused:
        service.submit_quiz(ada, "baking", "check", the_quiz.right())
    assert (refused.value.field, refused.value.message) == ("answers", "You have used all 2 attempts at this quiz.")
    assert len(rows(QuizAttempt)) == 2 and rows(LessonCompletion) == []
    view = service.lesson_view(ada, "baking", "check").quiz
    assert (view.attempts_left, view.can_attempt, view.passed) == (0, False, False)


# The refusal is built as f"You have used all {max_attempts} attempts at this quiz.", so a quiz with one
# attempt tells the member "You have used all 1 attempts at this quiz." (service.py has _plural for this).
def test_a_one_attempt_quiz_says_its_only_attempt_is_used(ada):
    the_quiz = enrolled_in_quiz(ada, max_attempts=1)
    service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(0))
    with pytest.raises(FieldError) as refused:
        service.submit_quiz(ada, "baking", "check", the_quiz.right())
    assert refused.value.field == "answers"
    assert "1 attempts" not in refused.value.message


def test_the_limit_is_per_person(ada):
    the_quiz = enrolled_in_quiz(ada, max_attempts=1)
    grace = add_account("grace@example.com", "Grace Hopper")
    service.enrol(grace, "baking")
    service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(0))
    assert service.submit_quiz(grace, "baking", "check", the_quiz.right()).result.passed is True
    assert service.lesson_view(ada, "baking", "check").quiz.attempts_used == 1


def test_a_quiz_already_passed_takes_no_more_attempts(ada):
    the_quiz = enrolled_in_quiz(ada)
    service.submit_quiz(ada, "baking", "check", the_quiz.right())
    for answers in (the_quiz.right(), the_quiz.wrong_on(0)):
        with pytest.raises(FieldError) as refused:
            service.submit_quiz(ada, "baking", "check", answers)
        assert (refused.value.field, refused.value.message) == ("answers", "You already passed this quiz.")
    assert len(rows(QuizAttempt)) == 1 and len(rows(LessonCompletion)) == 1
    assert kinds(ada).count("quiz_passed") == 1


def test_a_quiz_is_completed_by_passing_it_not_by_marking_it(ada):
    enrolled_in_quiz(ada)
    with pytest.raises(FieldError) as refused:
        service.complete_lesson(ada, "baking", "check")
    assert (refused.value.field, refused.value.message) == ("lesson", "Pass the quiz to complete this lesson.")
    assert rows(LessonCompletion) == []


def test_a_lesson_that_is_not_a_quiz_takes_no_answers(ada):
    the_quiz = enrolled_in_quiz(ada)
    with pytest.raises(LookupError):
        service.submit_quiz(ada, "baking", "bread-1", the_quiz.right())
    assert rows(QuizAttempt) == [] and rows(LessonCompletion) == []


def test_a_quiz_in_a_course_i_cannot_open_takes_no_answers(ada):
    make_quiz_course()
    the_quiz = quiz()
    with pytest.raises(LookupError):
        service.submit_quiz(ada, "baking", "check", the_quiz.right())
    for course, lesson in (("baking", "nope"), ("nope", "check"), ("Baking", "check"), (None, None)):
        with pytest.raises(LookupError):
            service.submit_quiz(ada, course, lesson, the_quiz.right())
    assert rows(QuizAttempt) == []


def test_a_locked_quiz_takes_no_answers_until_it_opens(ada, frozen_clock):
    make_course(
        modules=(
            ModuleSpec("Bread", (LessonSpec("bread-1", "Bread 1", "Knead."),)),
            ModuleSpec("Later", (quiz_lesson(),), unlock_after_days=7),
        )
    )
    service.enrol(ada, "baking")
    the_quiz = quiz()
    with pytest.raises(service.LessonLocked) as locked:
        service.submit_quiz(ada, "baking", "check", the_quiz.right())
    assert locked.value.label == "Unlocks 22 Jan, in 7 days"
    assert rows(QuizAttempt) == []
    frozen_clock.advance(days=7)
    assert service.submit_quiz(ada, "baking", "check", the_quiz.right()).result.passed is True


# --- answers that are refused --------------------------------------------------------------------------


def _other_question_choice(q: Quiz) -> dict:
    return {**q.right(), str(q.qid(0)): [q.choice(2, "About an hour")]}


def _other_quiz_choice(q: Quiz) -> dict:
    other = quiz("other")
    return {**q.right(), str(q.qid(0)): [other.right()[str(other.qid(0))][0]]}


def _missing_one(q: Quiz) -> dict:
    answers = q.right()
    del answers[str(q.qid(2))]
    return answers


def _two_for_single(q: Quiz) -> dict:
    return {**q.right(), str(q.qid(0)): [q.choice(0, "Strong flour"), q.choice(0, "Cake flour")]}


def _on_first(value):
    return lambda q: {**q.right(), str(q.qid(0)): value}


def _choice_and(extra):
    return lambda q: {**q.right(), str(q.qid(0)): [q.choice(0, "Strong flour"), extra]}


REFUSED = {
    "choice-of-another-question": _other_question_choice,
    "choice-of-another-quiz": _other_quiz_choice,
    "a-question-unanswered": _missing_one,
    "two-answers-to-a-single-choice-question": _two_for_single,
    "nothing": lambda q: {},
    "none": lambda q: None,
    "a-string": lambda q: "all of them",
    "a-number": lambda q: 42,
    "a-list": lambda q: list(q.right().values()),
    "a-list-of-pairs": lambda q: list(q.right().items()),
    "true": lambda q: True,
    "answer-none": _on_first(None),
    "answer-empty-list": _on_first([]),
    "answer-empty-string": _on_first(""),
    "answer-true": _on_first(True),
    "answer-false": _on_first(False),
    "answer-list-of-true": _on_first([True]),
    "answer-nested-dict": lambda q: {**q.right(), str(q.qid(0)): {"$in": [q.choice(0, "Strong flour")]}},
    "answer-nested-list": lambda q: {**q.right(), str(q.qid(0)): [[q.choice(0, "Strong flour")]]},
    "answer-float": lambda q: {**q.right(), str(q.qid(0)): [float(q.choice(0, "Strong flour"))]},
    "answer-negative": lambda q: {**q.right(), str(q.qid(0)): [-q.choice(0, "Strong flour")]},
    "answer-with-spaces": lambda q: {**q.right(), str(q.qid(0)): [f" {q.choice(0, 'Strong flour')} "]},
    "answer-arabic-indic-digits": lambda q: {
        **q.right(),
        str(q.qid(0)): ["".join(chr(0x660 + int(d)) for d in str(q.choice(0, "Strong flour")))],
    },
    "answer-with-nul": lambda q: {**q.right(), str(q.qid(0)): [f"{q.choice(0, 'Strong flour')}\x00"]},
    "answer-sql": _on_first(["1 OR 1=1"]),
    "answer-huge-number": _on_first([10**40]),
    "answer-huge-digits": _on_first(["9" * 100_000]),
    "answer-right-then-junk": _choice_and("junk"),
    "answer-right-then-zero": _choice_and(0),
    "answer-huge-list-of-junk": _on_first(list(range(-50_000, 0))),
    "answer-huge-list-of-both-choices": lambda q: {
        **q.right(),
        str(q.qid(0)): [q.choice(0, "Strong flour"), q.choice(0, "Cake flour")] * 50_000,
    },
    "answer-huge-list-then-foreign": lambda q: {
        **q.right(),
        str(q.qid(1)): [q.choice(1, "Yeast"), q.choice(1, "Sourdough starter")] * 50_000
        + [q.choice(0, "Strong flour")],
    },
}


@pytest.mark.parametrize("payload", REFUSED.values(), ids=REFUSED.keys())
def test_answers_that_do_not_fit_the_quiz_are_refused_and_store_nothing(ada, payload):
    the_quiz = enrolled_in_quiz(ada)
    make_quiz_course("other", for_everyone=True)
    with pytest.raises(FieldError) as refused:
        service.submit_quiz(ada, "baking", "check", payload(the_quiz))
    assert refused.value.field == "answers" and refused.value.message.endswith(".")
    assert rows(QuizAttempt) == [] and rows(LessonCompletion) == [] and kinds(ada) == ["course_enrolled"]
    # A refused payload uses no attempt.
    assert service.lesson_view(ada, "baking", "check").quiz.attempts_used == 0


def test_the_refusal_says_which_question_to_fix(ada):
    the_quiz = enrolled_in_quiz(ada)
    with pytest.raises(FieldError) as refused:
        service.submit_quiz(ada, "baking", "check", _missing_one(the_quiz))
    assert refused.value.message == "Answer question 3, then submit."
    with pytest.raises(FieldError) as refused:
        service.submit_quiz(ada, "baking", "check", _two_for_single(the_quiz))
    assert refused.value.message == "Question 1 takes one answer."
    with pytest.raises(FieldError) as refused:
        service.submit_quiz(ada, "baking", "check", _other_question_choice(the_quiz))
    assert refused.value.message == "Question 1: choose one of its answers."


# --- what a member sees --------------------------------------------------------------------------------


def test_which_questions_were_wrong_is_shown_only_when_the_owner_allows(ada):
    make_quiz_course(show_answers=True)
    make_quiz_course("hidden", show_answers=False, for_everyone=True)
    service.enrol(ada, "baking")
    shown, hidden = quiz(), quiz("hidden")

    result = service.submit_quiz(ada, "baking", "check", shown.wrong_on(0, 2)).result
    assert result.wrong_question_ids == (shown.qid(0), shown.qid(2))
    assert service.lesson_view(ada, "baking", "check").quiz.last.wrong_question_ids == (shown.qid(0), shown.qid(2))

    result = service.submit_quiz(ada, "hidden", "check", hidden.wrong_on(0, 2)).result
    assert (result.wrong_question_ids, result.correct_count, result.passed) == ((), 1, False)
    view = service.lesson_view(ada, "hidden", "check").quiz
    assert (view.show_answers, view.last.wrong_question_ids, view.last.score_percent) == (False, (), 33)


def test_the_quiz_a_member_sees_never_says_which_answer_is_right(ada):
    the_quiz = enrolled_in_quiz(ada, show_answers=True)
    service.submit_quiz(ada, "baking", "check", the_quiz.wrong_on(1))
    view = service.lesson_view(ada, "baking", "check").quiz
    assert [field.name for field in dataclasses.fields(quizzes.ChoiceView)] == ["id", "text"]
    assert [field.name for field in dataclasses.fields(quizzes.QuestionView)] == ["id", "prompt", "multiple", "choices"]
    assert [field.name for field in dataclasses.fields(quizzes.AttemptResult)] == [
        "score_percent",
        "passed",
        "correct_count",
        "question_count",
        "wrong_question_ids",
    ]
    assert "correct" not in {field.name for field in dataclasses.fields(quizzes.QuizView)}
    assert [(q.id, q.prompt, q.multiple) for q in view.questions] == [
        (the_quiz.qid(0), "Which flour makes the best bread?", False),
        (the_quiz.qid(1), "Which of these make dough rise?", True),
        (the_quiz.qid(2), "How long does dough prove?", False),
    ]
    assert [choice for question in view.questions for choice in question.choices] == [
        quizzes.ChoiceView(cid, text) for _, _, choices in the_quiz.questions for cid, text, _ in choices
    ]
    assert view.last.wrong_question_ids == (the_quiz.qid(1),)


def test_a_quiz_for_everyone_opens_without_enrolment_and_a_pass_completes_it(ada):
    make_quiz_course(for_everyone=True)
    view = service.lesson_view(ada, "baking", "check")
    assert view.quiz is not None and view.quiz.attempts_used == 0
    assert service.submit_quiz(ada, "baking", "check", quiz().right()).result.passed is True
    assert len(rows(LessonCompletion)) == 1


# service.submit_quiz's docstring: "a course offered to everyone is started by its first attempt"; but
# quizzes.submit_quiz never calls start_open_course (complete_lesson and lesson_view do), so an attempt
# made without opening the lesson first leaves no enrolment, and the lesson completed by passing is
# in a course the person never "started" (no "course_enrolled", drip still counting from each visit).
def test_a_first_attempt_at_a_quiz_of_a_course_for_everyone_enrols(ada, frozen_clock):
    make_quiz_course(for_everyone=True)
    service.submit_quiz(ada, "baking", "check", quiz().wrong_on(0))
    [enrolment] = rows(Enrolment)
    assert (enrolment.account_id, enrolment.enrolled_at) == (ada, frozen_clock.current)
    assert kinds(ada) == ["course_enrolled"]


# --- building a quiz -----------------------------------------------------------------------------------


BAD_QUIZZES = {
    "no-right-answer": (QuestionSpec("Q?", (ChoiceSpec("A"), ChoiceSpec("B"))),),
    "one-choice": (QuestionSpec("Q?", (ChoiceSpec("A", correct=True),)),),
    "two-right-on-single": (QuestionSpec("Q?", (ChoiceSpec("A", correct=True), ChoiceSpec("B", correct=True))),),
    "no-questions": (),
    "bad-second-question": (
        QuestionSpec("Good?", (ChoiceSpec("Yes", correct=True), ChoiceSpec("No"))),
        QuestionSpec("Bad?", (ChoiceSpec("Yes"), ChoiceSpec("No"))),
    ),
    "101-questions": tuple(
        QuestionSpec(f"Q{n}?", (ChoiceSpec("A", correct=True), ChoiceSpec("B"))) for n in range(101)
    ),
}


@pytest.mark.parametrize("questions", BAD_QUIZZES.values(), ids=BAD_QUIZZES.keys())
def test_a_bad_quiz_is_refused_and_nothing_is_built(database, frozen_clock, questions):
    with pytest.raises(FieldError) as refused:
        with db.write_session() as session:
            building.create_course(
                session,
                slug="quizzed",
                title="Quizzed",
                published=True,
                modules=(
                    ModuleSpec(
                        "M",
                        (
                            LessonSpec("read", "Read", "x"),
                            LessonSpec("q", "Q", kind="quiz", questions=questions),
                        ),
                    ),
                ),
            )
    assert refused.value.field == "questions"
    assert service.all_courses() == []
    assert rows(Lesson) == [] and rows(QuizQuestion) == [] and rows(QuizChoice) == []


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"pass_percent": 0}, "pass_percent"),
        ({"pass_percent": 101}, "pass_percent"),
        ({"pass_percent": True}, "pass_percent"),
        ({"max_attempts": -1}, "max_attempts"),
        ({"max_attempts": 101}, "max_attempts"),
        ({"kind": "exam"}, "kind"),
    ],
)
def test_bad_quiz_settings_are_refused_and_nothing_is_built(database, frozen_clock, settings, field):
    spec = dataclasses.replace(quiz_lesson(), **settings)
    with pytest.raises(FieldError) as refused:
        with db.write_session() as session:
            building.create_course(
                session, slug="quizzed", title="Quizzed", published=True, modules=(ModuleSpec("M", (spec,)),)
            )
    assert refused.value.field == field
    assert service.all_courses() == [] and rows(QuizQuestion) == []


def test_a_quiz_keeps_its_questions_and_choices_in_order(database, frozen_clock):
    make_quiz_course(pass_percent=80, max_attempts=5, show_answers=True)
    with db.read_session() as session:
        lesson = session.exec(select(Lesson).where(Lesson.slug == "check")).one()
    assert (lesson.kind, lesson.pass_percent, lesson.max_attempts, lesson.show_answers) == ("quiz", 80, 5, True)
    built = quiz()
    assert [[(text, ok) for _, text, ok in choices] for _, _, choices in built.questions] == [
        [("Strong flour", True), ("Cake flour", False), ("Rice flour", False)],
        [("Yeast", True), ("Sourdough starter", True), ("Salt", False)],
        [("About an hour", True), ("A minute", False)],
    ]
    assert [multiple for _, multiple, _ in built.questions] == [False, True, False]


# --- two tabs at once ----------------------------------------------------------------------------------


def run_together(calls) -> list:
    """Run the calls on threads released at once; each result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # the test looks at which ones were refused
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_two_passing_attempts_at_once_complete_the_lesson_once(shared_database):
    account = add_account()
    make_quiz_course()
    service.enrol(account, "baking")
    right = quiz().right()
    results = run_together([lambda: service.submit_quiz(account, "baking", "check", right)] * 2)
    passed = [result for result in results if isinstance(result, quizzes.QuizSubmitted)]
    refused = [result for result in results if isinstance(result, FieldError)]
    assert len(passed) == 1 and passed[0].result.passed is True, results
    assert [(error.field, error.message) for error in refused] == [("answers", "You already passed this quiz.")]
    assert [(attempt.passed, attempt.score_percent) for attempt in rows(QuizAttempt)] == [(True, 100)]
    assert len(rows(LessonCompletion)) == 1
    assert kinds(account).count("quiz_passed") == 1 and kinds(account).count("lesson_completed") == 1


def test_two_attempts_at_once_cannot_pass_the_attempt_limit(shared_database):
    account = add_account()
    make_quiz_course(max_attempts=1)
    service.enrol(account, "baking")
    wrong = quiz().wrong_on(0, 1)
    results = run_together([lambda: service.submit_quiz(account, "baking", "check", wrong)] * 4)
    taken = [result for result in results if isinstance(result, quizzes.QuizSubmitted)]
    refused = [result for result in results if isinstance(result, FieldError)]
    assert len(taken) == 1 and taken[0].attempts_left == 0, results
    assert [error.field for error in refused] == ["answers"] * 3
    assert len(rows(QuizAttempt)) == 1 and rows(LessonCompletion) == []
