"""Quizzes: a lesson of kind "quiz" with single and multiple choice questions, a pass mark and an
attempt limit set by the owner.

Every attempt is stored. Passing completes the lesson (and may finish the course). A question is
right when exactly its right answers were chosen. Which questions were wrong is shown only when the
owner allows it; the right answers never leave the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal_app.apps.courses.models import Lesson, QuizAttempt, QuizChoice, QuizQuestion
from portal_app.apps.courses.progress import (
    APP_KEY,
    FoundLesson,
    LessonLink,
    find_lesson,
    lock_account,
    next_unfinished,
    percent,
    record_completion,
    start_open_course,
)
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError
from portal_app.timeline import service as activity

ANSWERS_FIELD = "answers"


@dataclass(frozen=True)
class ChoiceView:
    id: int
    text: str


@dataclass(frozen=True)
class QuestionView:
    id: int
    prompt: str
    multiple: bool
    choices: tuple[ChoiceView, ...]


@dataclass(frozen=True)
class AttemptResult:
    score_percent: int
    passed: bool
    correct_count: int
    question_count: int
    # The questions answered wrongly: only when the owner shows answers, else empty.
    wrong_question_ids: tuple[int, ...]


@dataclass(frozen=True)
class QuizView:
    questions: tuple[QuestionView, ...]
    pass_percent: int
    # 0: no limit.
    max_attempts: int
    attempts_used: int
    passed: bool
    best_score: int | None
    last: AttemptResult | None
    show_answers: bool

    @property
    def attempts_left(self) -> int | None:
        return None if self.max_attempts == 0 else max(self.max_attempts - self.attempts_used, 0)

    @property
    def can_attempt(self) -> bool:
        return not self.passed and self.attempts_left != 0


def _questions(session: Session, lesson_id: int) -> tuple[QuestionView, ...]:
    questions = session.exec(
        select(QuizQuestion).where(QuizQuestion.lesson_id == lesson_id).order_by(QuizQuestion.position, QuizQuestion.id)
    ).all()
    choices: dict[int, list[ChoiceView]] = {question.id: [] for question in questions}
    for choice in session.exec(
        select(QuizChoice)
        .where(col(QuizChoice.question_id).in_(list(choices)))
        .order_by(QuizChoice.question_id, QuizChoice.position, QuizChoice.id)
    ):
        choices[choice.question_id].append(ChoiceView(choice.id, choice.text))
    return tuple(QuestionView(q.id, q.prompt, q.multiple, tuple(choices[q.id])) for q in questions)


def _result(attempt: QuizAttempt, show_answers: bool, wrong: tuple[int, ...]) -> AttemptResult:
    return AttemptResult(
        score_percent=attempt.score_percent,
        passed=attempt.passed,
        correct_count=attempt.correct_count,
        question_count=attempt.question_count,
        wrong_question_ids=wrong if show_answers else (),
    )


def _wrong_ids(session: Session, lesson_id: int, answers: Mapping[str, list[int]]) -> tuple[int, ...]:
    right = _right_answers(session, lesson_id)
    return tuple(qid for qid, wanted in right.items() if set(answers.get(str(qid), ())) != wanted)


def _right_answers(session: Session, lesson_id: int) -> dict[int, set[int]]:
    """question id -> its right choice ids, in question order."""
    question_ids = session.exec(
        select(QuizQuestion.id)
        .where(QuizQuestion.lesson_id == lesson_id)
        .order_by(QuizQuestion.position, QuizQuestion.id)
    ).all()
    right: dict[int, set[int]] = {qid: set() for qid in question_ids}
    for question_id, choice_id in session.exec(
        select(QuizChoice.question_id, QuizChoice.id).where(
            col(QuizChoice.question_id).in_(question_ids), col(QuizChoice.correct).is_(True)
        )
    ):
        right[question_id].add(choice_id)
    return right


def quiz_view(session: Session, account_id: int, lesson_id: int) -> QuizView:
    """The quiz of a lesson as the account sees it: questions (without the right answers), its attempts."""
    lesson = session.get(Lesson, lesson_id)
    used, best, passed_count = session.exec(
        select(
            func.count(QuizAttempt.id), func.max(QuizAttempt.score_percent), func.count().filter(QuizAttempt.passed)
        ).where(QuizAttempt.account_id == account_id, QuizAttempt.lesson_id == lesson_id)
    ).one()
    last_row = session.exec(
        select(QuizAttempt)
        .where(QuizAttempt.account_id == account_id, QuizAttempt.lesson_id == lesson_id)
        .order_by(QuizAttempt.id.desc())
        .limit(1)
    ).first()
    last = None
    if last_row is not None:
        wrong = _wrong_ids(session, lesson_id, last_row.answers) if lesson.show_answers else ()
        last = _result(last_row, lesson.show_answers, wrong)
    return QuizView(
        questions=_questions(session, lesson_id),
        pass_percent=lesson.pass_percent,
        max_attempts=lesson.max_attempts,
        attempts_used=used,
        passed=passed_count > 0,
        best_score=best,
        last=last,
        show_answers=lesson.show_answers,
    )


def _checked_answers(answers: object, questions: tuple[QuestionView, ...]) -> dict[str, list[int]]:
    """The answers as {question id (text): [choice ids]}, each a choice of that question; FieldError
    when one is missing, belongs elsewhere, or a single-answer question got several."""
    if not isinstance(answers, Mapping):
        raise FieldError(ANSWERS_FIELD, "Answer every question, then submit.")
    checked: dict[str, list[int]] = {}
    for number, question in enumerate(questions, start=1):
        given = answers.get(str(question.id), answers.get(question.id))
        if isinstance(given, (int, str)) and not isinstance(given, bool):
            given = [given]
        if not isinstance(given, (list, tuple)) or not given:
            raise FieldError(ANSWERS_FIELD, f"Answer question {number}, then submit.")
        if len(given) > len(question.choices):
            raise FieldError(ANSWERS_FIELD, f"Question {number}: choose one of its answers.")
        allowed = {choice.id for choice in question.choices}
        chosen: set[int] = set()
        for item in given:
            text = str(item) if isinstance(item, (int, str)) and not isinstance(item, bool) else ""
            if not (text.isascii() and text.isdigit() and len(text) <= 12) or int(text) not in allowed:
                raise FieldError(ANSWERS_FIELD, f"Question {number}: choose one of its answers.")
            chosen.add(int(text))
        if not question.multiple and len(chosen) > 1:
            raise FieldError(ANSWERS_FIELD, f"Question {number} takes one answer.")
        checked[str(question.id)] = sorted(chosen)
    return checked


def used_up(max_attempts: int) -> str:
    """What a person reads when no attempt is left."""
    if max_attempts == 1:
        return "You have used your one attempt at this quiz."
    return f"You have used all {max_attempts} attempts at this quiz."


@dataclass(frozen=True)
class QuizSubmitted:
    result: AttemptResult
    attempts_left: int | None
    course_completed: bool
    certificate_code: str | None
    up_next: LessonLink | None


def submit_quiz(account_id: int, course_slug: object, lesson_slug: object, answers: object) -> QuizSubmitted:
    """Store one attempt at a quiz lesson open to the account, and complete the lesson when it passes.

    LookupError when the lesson is not an open quiz (LessonLocked when it has not unlocked);
    FieldError("answers") for incomplete or foreign answers, a quiz already passed, or no attempts left.
    """
    with db.write_session() as session:
        lock_account(session, account_id)
        found: FoundLesson = find_lesson(session, account_id, course_slug, lesson_slug)
        lesson = session.get(Lesson, found.lesson.id)
        if lesson.kind != "quiz":
            raise LookupError("not a quiz")
        view = quiz_view(session, account_id, lesson.id)
        if view.passed:
            raise FieldError(ANSWERS_FIELD, "You already passed this quiz.")
        if not view.can_attempt:
            raise FieldError(ANSWERS_FIELD, used_up(view.max_attempts))
        checked = _checked_answers(answers, view.questions)
        right = _right_answers(session, lesson.id)
        wrong = tuple(qid for qid, wanted in right.items() if set(checked[str(qid)]) != wanted)
        correct = len(right) - len(wrong)
        score = percent(correct, len(right))
        now = clock.now()
        if not found.enrolled:
            start_open_course(session, account_id, found.course, now)
        attempt = QuizAttempt(
            account_id=account_id,
            course_id=found.course.id,
            lesson_id=lesson.id,
            answers=checked,
            correct_count=correct,
            question_count=len(right),
            score_percent=score,
            passed=score >= lesson.pass_percent,
            submitted_at=now,
        )
        session.add(attempt)
        session.flush()
        recorded = None
        if attempt.passed:
            activity.record(
                session,
                account_id=account_id,
                app_key=APP_KEY,
                kind="quiz_passed",
                summary=f"{lesson.title} ({found.course.title}): {score}%",
                at=now,
            )
            recorded = record_completion(session, account_id, found, now)
        result = _result(attempt, lesson.show_answers, wrong)
        left = None if lesson.max_attempts == 0 else max(lesson.max_attempts - view.attempts_used - 1, 0)
    upcoming = next_unfinished(found.lessons, recorded.done, now, after=lesson.id) if recorded else None
    return QuizSubmitted(
        result=result,
        attempts_left=left,
        course_completed=bool(recorded and recorded.course_completed),
        certificate_code=recorded.certificate_code if recorded else None,
        up_next=upcoming.link if upcoming else None,
    )
