"""The owner's side of enrolment and progress: who is in a course and how far each got, enrolling one,
many or everyone with the app, unenrolling, and the progress as CSV.

Staff and instructors call these with an audit Actor; each change is logged in its own transaction.
Members are listed by account id in pages of PAGE_SIZE (keyset, never OFFSET), read through the
course-first indexes of enrolment, lessoncompletion and quizattempt.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.apps import audit
from portal_app.apps.courses.models import Course, Enrolment, Lesson, LessonCompletion, QuizAttempt
from portal_app.apps.courses.progress import APP_KEY, enrol_in, percent
from portal_app.apps.courses.validation import is_slug
from portal_app.apps.models import AppGrant
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FormErrors

PAGE_SIZE = 50
SEARCH_LIMIT = 20
MAX_SEARCH_LENGTH = 100
MAX_SELECTED = 500


def _course(session: Session, slug: object) -> Course:
    if not is_slug(slug):
        raise LookupError("not a course slug")
    course = session.exec(select(Course).where(Course.slug == slug)).first()
    if course is None:
        raise LookupError("no such course")
    return course


def _with_the_app(session: Session):
    """A condition on Account: it may have the app (granted it, or the business gives it to everyone), and is not disabled."""
    business = session.get(Business, BUSINESS_ID)
    active = col(Account.disabled_at).is_(None)
    if business is not None and APP_KEY in (business.apps_for_everyone or ()):
        return active
    granted = select(AppGrant.id).where(AppGrant.account_id == Account.id, AppGrant.app_key == APP_KEY)
    return and_(active, granted.exists())


# --- who is in a course, and how far each got --------------------------------------------------------------


@dataclass(frozen=True)
class QuizResult:
    lesson_title: str
    best_score: int
    attempts: int
    passed: bool


@dataclass(frozen=True)
class MemberProgress:
    account_id: int
    full_name: str
    email: str
    enrolled_at: datetime
    lessons_done: int
    lessons_total: int
    percent: int
    # The latest lesson completed or quiz attempt (None when nothing yet).
    last_activity: datetime | None
    quizzes: tuple[QuizResult, ...]


@dataclass(frozen=True)
class MembersPage:
    course_title: str
    members: tuple[MemberProgress, ...]
    enrolled: int
    # The account id to pass as `after` for the next page (None on the last page).
    next_after: int | None


def _progress_of(session: Session, course: Course, rows: Sequence) -> list[MemberProgress]:
    ids = [account.id for account, _ in rows]
    total = session.exec(select(func.count()).where(Lesson.course_id == course.id)).one()
    done = dict(
        session.exec(
            select(LessonCompletion.account_id, func.count())
            .where(LessonCompletion.course_id == course.id, col(LessonCompletion.account_id).in_(ids))
            .group_by(LessonCompletion.account_id)
        ).all()
    )
    last_done = dict(
        session.exec(
            select(LessonCompletion.account_id, func.max(LessonCompletion.completed_at))
            .where(LessonCompletion.course_id == course.id, col(LessonCompletion.account_id).in_(ids))
            .group_by(LessonCompletion.account_id)
        ).all()
    )
    quizzes: dict[int, list[QuizResult]] = {account_id: [] for account_id in ids}
    last_attempt: dict[int, datetime] = {}
    for account_id, title, best, attempts, passed, last in session.exec(
        select(
            QuizAttempt.account_id,
            Lesson.title,
            func.max(QuizAttempt.score_percent),
            func.count(),
            func.max(QuizAttempt.score_percent).filter(QuizAttempt.passed),
            func.max(QuizAttempt.submitted_at),
        )
        .join(Lesson, Lesson.id == QuizAttempt.lesson_id)
        .where(QuizAttempt.course_id == course.id, col(QuizAttempt.account_id).in_(ids))
        .group_by(QuizAttempt.account_id, Lesson.id, Lesson.title, Lesson.position)
        .order_by(QuizAttempt.account_id, Lesson.position, Lesson.id)
    ):
        quizzes[account_id].append(QuizResult(title, best, attempts, passed is not None))
        last_attempt[account_id] = max(last, last_attempt.get(account_id, last))
    members = []
    for account, enrolled_at in rows:
        moments = [moment for moment in (last_done.get(account.id), last_attempt.get(account.id)) if moment]
        finished = done.get(account.id, 0)
        members.append(
            MemberProgress(
                account_id=account.id,
                full_name=account.full_name,
                email=account.email,
                enrolled_at=enrolled_at,
                lessons_done=finished,
                lessons_total=total,
                percent=percent(finished, total),
                last_activity=max(moments) if moments else None,
                quizzes=tuple(quizzes[account.id]),
            )
        )
    return members


def _clean_query(query: object) -> str:
    return query.strip()[:MAX_SEARCH_LENGTH] if isinstance(query, str) else ""


def _matching(query: str):
    pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        func.lower(Account.email).like(pattern, escape="\\"), func.lower(Account.full_name).like(pattern, escape="\\")
    )


def members(course_slug: object, *, after: object = None, query: object = "") -> MembersPage:
    """One page of a course's members (by account id, after `after`), with their progress and quiz results."""
    text = _clean_query(query)
    start = after if isinstance(after, int) and not isinstance(after, bool) else 0
    with db.read_session() as session:
        course = _course(session, course_slug)
        statement = (
            select(Account, Enrolment.enrolled_at)
            .join(Enrolment, Enrolment.account_id == Account.id)
            .where(Enrolment.course_id == course.id, Account.id > start)
        )
        if text:
            statement = statement.where(_matching(text))
        rows = session.exec(statement.order_by(Account.id).limit(PAGE_SIZE + 1)).all()
        enrolled = session.exec(select(func.count()).where(Enrolment.course_id == course.id)).one()
        page = _progress_of(session, course, rows[:PAGE_SIZE])
    return MembersPage(
        course.title, tuple(page), enrolled, page[-1].account_id if len(rows) > PAGE_SIZE and page else None
    )


@dataclass(frozen=True)
class Candidate:
    account_id: int
    full_name: str
    email: str


def candidates(course_slug: object, query: object) -> list[Candidate]:
    """Accounts with the app, not yet in the course, whose name or email contains `query` (at most 20)."""
    text = _clean_query(query)
    if not text:
        return []
    with db.read_session() as session:
        course = _course(session, course_slug)
        enrolled = select(Enrolment.id).where(Enrolment.account_id == Account.id, Enrolment.course_id == course.id)
        rows = session.exec(
            select(Account)
            .where(_with_the_app(session), ~enrolled.exists(), _matching(text))
            .order_by(Account.full_name, Account.id)
            .limit(SEARCH_LIMIT)
        ).all()
    return [Candidate(account.id, account.full_name, account.email) for account in rows]


# --- enrolling and unenrolling ---------------------------------------------------------------------------


def enrol_accounts(actor: audit.Actor, course_slug: object, account_ids: object) -> int:
    """Enrol the chosen accounts (each must have the app); how many were newly enrolled.

    FormErrors("accounts") when the list is empty, too long, or names an account without the app.
    """
    if not isinstance(account_ids, (list, tuple)) or not account_ids or len(account_ids) > MAX_SELECTED:
        raise FormErrors({"accounts": f"Choose from 1 to {MAX_SELECTED} people to enrol."})
    if not all(db.is_row_id(item) for item in account_ids):
        raise FormErrors({"accounts": "Choose people from the search results."})
    wanted = sorted(set(account_ids))
    with db.write_session() as session:
        course = _course(session, course_slug)
        allowed = set(session.exec(select(Account.id).where(col(Account.id).in_(wanted), _with_the_app(session))))
        if allowed != set(wanted):
            raise FormErrors(
                {"accounts": "Some of the people chosen cannot open Membership Courses: grant them the app first."}
            )
        now = clock.now()
        added = sum(1 for account_id in wanted if enrol_in(session, account_id, course, now, email=True))
        audit.record(
            session,
            actor,
            APP_KEY,
            "members_enrolled",
            target=course.slug,
            detail={"accounts": wanted[:50], "added": added},
        )
    return added


def enrol_everyone(actor: audit.Actor, course_slug: object) -> int:
    """Enrol every account that has the app and is not in the course yet; how many were added."""
    with db.write_session() as session:
        course = _course(session, course_slug)
        enrolled = select(Enrolment.id).where(Enrolment.account_id == Account.id, Enrolment.course_id == course.id)
        ids = list(
            session.exec(select(Account.id).where(_with_the_app(session), ~enrolled.exists()).order_by(Account.id))
        )
        now = clock.now()
        added = sum(1 for account_id in ids if enrol_in(session, account_id, course, now, email=True))
        audit.record(session, actor, APP_KEY, "everyone_enrolled", target=course.slug, detail={"added": added})
    return added


def unenrol(actor: audit.Actor, course_slug: object, account_id: object) -> bool:
    """Take an account out of a course (its completions and attempts stay, should it come back); False when it was not in."""
    if not db.is_row_id(account_id):
        raise LookupError("not an account id")
    with db.write_session() as session:
        course = _course(session, course_slug)
        enrolment = session.exec(
            select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.account_id == account_id)
        ).first()
        if enrolment is None:
            return False
        session.delete(enrolment)
        audit.record(session, actor, APP_KEY, "member_unenrolled", target=course.slug, detail={"account": account_id})
    return True


# --- CSV -------------------------------------------------------------------------------------------------

CSV_HEADER = ("name", "email", "enrolled_at", "lessons_done", "lessons_total", "percent", "last_activity", "quizzes")


def _csv_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ and control characters at the start)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def progress_csv(course_slug: object) -> str:
    """Every member's progress in the course as CSV, one row per member, quiz results in one cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    after = None
    while True:
        page = members(course_slug, after=after)
        for member in page.members:
            quizzes = "; ".join(
                f"{quiz.lesson_title}: best {quiz.best_score}% in {quiz.attempts} attempt{'s' if quiz.attempts != 1 else ''}"
                + (", passed" if quiz.passed else "")
                for quiz in member.quizzes
            )
            writer.writerow(
                [
                    _csv_cell(member.full_name),
                    _csv_cell(member.email),
                    member.enrolled_at.isoformat(),
                    member.lessons_done,
                    member.lessons_total,
                    member.percent,
                    member.last_activity.isoformat() if member.last_activity else "",
                    _csv_cell(quizzes),
                ]
            )
        if page.next_after is None:
            return out.getvalue()
        after = page.next_after
