"""Where the files of courses are served (routes.py answers there), as pages link to them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.apps.courses.models import LessonAttachment

COVERS_ROUTE = "/api/apps/courses/covers"
ATTACHMENTS_ROUTE = "/api/apps/courses/attachments"
VIDEOS_ROUTE = "/api/apps/courses/videos"


def cover_url(stored_name: str) -> str:
    return f"{COVERS_ROUTE}/{stored_name}" if stored_name else ""


def video_url(lesson_id: int) -> str:
    return f"{VIDEOS_ROUTE}/{lesson_id}"


def size_text(size: int) -> str:
    """ "1.2 MB", "340 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(size // 1024, 1)} KB"


@dataclass(frozen=True)
class AttachmentLink:
    id: int
    name: str
    size: str
    url: str


def attachment_links(session: Session, lesson_id: int) -> tuple[AttachmentLink, ...]:
    """A lesson's attachments in the order they were added."""
    rows = session.exec(
        select(LessonAttachment).where(LessonAttachment.lesson_id == lesson_id).order_by(LessonAttachment.id)
    ).all()
    return tuple(AttachmentLink(row.id, row.name, size_text(row.size), f"{ATTACHMENTS_ROUTE}/{row.id}") for row in rows)
