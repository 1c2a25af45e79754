"""What Membership Courses knows about a person, read from their timeline."""

from __future__ import annotations

from portal_app.apps.registry import SummaryCard
from portal_app.timeline import service as activity

APP_KEY = "courses"
ACTIVITY_KINDS = {
    "course_enrolled": "Enrolled in a course",
    "lesson_completed": "Completed a lesson",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(account_id: int) -> SummaryCard:
    counts = activity.counts_by_kind(account_id, APP_KEY)
    courses = counts.get("course_enrolled", 0)
    if courses == 0:
        return SummaryCard(headline="No courses yet", details=("Courses you join will appear here.",))
    lessons = counts.get("lesson_completed", 0)
    return SummaryCard(
        headline=f"{_plural(courses, 'course')} joined",
        details=(f"{_plural(lessons, 'lesson')} completed",),
        count=courses,
    )
