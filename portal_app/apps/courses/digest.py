"""The daily "lessons unlocked" email: one digest per person listing the dripped lessons that opened for
them since the last one, never one email per lesson.

A periodic task (every hour, in every worker) calls send_unlock_digests(). Each person is handled in
a transaction that locks their account row first, so two workers never tell the same unlock twice;
a person gets at most one digest in DIGEST_GAP. Unlocks are counted from where their last digest
stopped (or, the first time, the last day), and only lessons that waited (drip) count: lessons open
from enrolment were announced by the enrolment email. Sent through notify(), so the person's choice
for this app's emails holds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from portal_app.apps.courses.models import Course, DripDigest, Enrolment, Lesson, Module
from portal_app.apps.courses.progress import APP_KEY, business_time_zone, lessons_in_order, lock_account
from portal_app.apps.notify import notify
from portal_app.kernel import clock, db

DIGEST_GAP = timedelta(hours=20)
FIRST_LOOKBACK = timedelta(days=1)
MAX_LISTED = 20


def _dripped_course_ids(session: Session) -> list[int]:
    """Published courses with any module or lesson that waits."""
    waits_lesson = select(Lesson.course_id).where(
        or_(col(Lesson.unlock_after_days).is_not(None), col(Lesson.unlock_on).is_not(None))
    )
    waits_module = select(Module.course_id).where(
        or_(col(Module.unlock_after_days).is_not(None), col(Module.unlock_on).is_not(None))
    )
    return list(
        session.exec(
            select(Course.id).where(
                col(Course.published).is_(True),
                or_(col(Course.id).in_(waits_lesson), col(Course.id).in_(waits_module)),
            )
        )
    )


def send_unlock_digests() -> dict[str, int]:
    """Send each person with newly unlocked lessons their digest; counts for the task's log line."""
    now = clock.now()
    with db.read_session() as session:
        course_ids = _dripped_course_ids(session)
        accounts = (
            list(
                session.exec(
                    select(Enrolment.account_id)
                    .where(col(Enrolment.course_id).in_(course_ids))
                    .distinct()
                    .order_by(Enrolment.account_id)
                )
            )
            if course_ids
            else []
        )
    sent = sum(1 for account_id in accounts if digest_for(account_id, course_ids, now))
    return {"digests_sent": sent}


def digest_for(account_id: int, course_ids: list[int], now: datetime) -> bool:
    """Send one person's digest if lessons unlocked for them since the last one; whether it went."""
    with db.write_session() as session:
        lock_account(session, account_id)
        state = session.get(DripDigest, account_id)
        if state is not None and state.sent_at is not None and state.sent_at > now - DIGEST_GAP:
            return False
        since = state.notified_through if state is not None else now - FIRST_LOOKBACK
        rows = session.exec(
            select(Course, Enrolment.enrolled_at)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(Enrolment.account_id == account_id, col(Course.id).in_(course_ids))
            .order_by(Course.position, Course.id)
        ).all()
        zone = business_time_zone(session)
        ordered = lessons_in_order(session, {course.id: enrolled_at for course, enrolled_at in rows}, zone)
        unlocked = [
            {"course": course.title, "title": lesson.title, "path": f"/apps/courses/{course.slug}/{lesson.slug}"}
            for course, enrolled_at in rows
            for lesson in ordered[course.id]
            if lesson.opens_at is not None and max(since, enrolled_at) < lesson.opens_at <= now
        ]
        if state is None:
            state = DripDigest(account_id=account_id, notified_through=now)
        state.notified_through = now
        if unlocked:
            state.sent_at = now
            notify(
                session,
                account_id,
                APP_KEY,
                "lessons_unlocked",
                {"lessons": unlocked[:MAX_LISTED], "count": len(unlocked), "more": max(len(unlocked) - MAX_LISTED, 0)},
            )
        session.add(state)
    return bool(unlocked)
