"""Files of courses: a course's cover image, a lesson's attachments and its uploaded video.

The owner's side (set, add, remove; audited like the rest of the builder) and the reading side for
the routes that serve them: a member gets a lesson's files only when the lesson is open to them
(published course, enrolled or open to everyone, unlocked), exactly as the lesson page decides.
Files live in the data directory under random names (apps/files.py); a row or column here says
which file belongs to what, and a file is removed from disk once the change that dropped it commits.
"""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.apps import audit, files
from portal_app.apps.courses.course_builder import course_by_slug, lesson_by_slug
from portal_app.apps.courses.models import Course, Lesson, LessonAttachment
from portal_app.apps.courses.progress import APP_KEY, find_lesson
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors

MAX_COVER_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_VIDEO_BYTES = 500 * 1024 * 1024
MAX_ATTACHMENTS = 20


def _store(source: object, *, allowed: frozenset[str], max_bytes: int, field: str) -> files.StoredFile:
    if not hasattr(source, "read"):
        raise FormErrors({field: "Choose a file to upload."})
    try:
        return files.store(APP_KEY, source, allowed=allowed, max_bytes=max_bytes, field=field)
    except FieldError as error:
        raise FormErrors({error.field: error.message}) from None


def _commit_or_discard(stored: files.StoredFile, change) -> None:
    """Run the database change for a stored file; if it fails, the file goes too (nothing half-kept)."""
    try:
        change()
    except BaseException:
        files.remove(APP_KEY, stored.name)
        raise


# --- the owner's side --------------------------------------------------------------------------------------


def set_cover(actor: audit.Actor, course_slug: object, source: BinaryIO) -> None:
    """Upload a course's cover (PNG, JPEG, GIF or WebP, up to 5 MB), replacing the old one."""
    stored = _store(source, allowed=files.IMAGES, max_bytes=MAX_COVER_BYTES, field="cover")
    old: list[str] = []

    def change() -> None:
        with db.write_session() as session:
            course = course_by_slug(session, course_slug, lock=True)
            old.append(course.cover_file)
            course.cover_file = stored.name
            session.add(course)
            audit.record(session, actor, APP_KEY, "cover_set", target=course.slug, detail={"size": stored.size})

    _commit_or_discard(stored, change)
    files.remove(APP_KEY, old[0])


def remove_cover(actor: audit.Actor, course_slug: object) -> None:
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        old, course.cover_file = course.cover_file, ""
        session.add(course)
        audit.record(session, actor, APP_KEY, "cover_removed", target=course.slug)
    files.remove(APP_KEY, old)


def add_attachment(
    actor: audit.Actor, course_slug: object, lesson_slug: object, filename: object, source: BinaryIO
) -> None:
    """Attach a file to a lesson (PDF, image, ZIP, MP3 or plain text, up to 25 MB; 20 per lesson)."""
    stored = _store(source, allowed=files.DOCUMENTS, max_bytes=MAX_ATTACHMENT_BYTES, field="attachment")

    def change() -> None:
        with db.write_session() as session:
            course = course_by_slug(session, course_slug, lock=True)
            lesson = lesson_by_slug(session, course, lesson_slug)
            count = session.exec(select(func.count()).where(LessonAttachment.lesson_id == lesson.id)).one()
            if count >= MAX_ATTACHMENTS:
                raise FormErrors({"attachment": f"A lesson takes up to {MAX_ATTACHMENTS} files. Remove one first."})
            name = files.shown_name(filename, stored.content_type)
            session.add(
                LessonAttachment(
                    lesson_id=lesson.id,
                    name=name,
                    stored_name=stored.name,
                    content_type=stored.content_type,
                    size=stored.size,
                    added_at=clock.now(),
                )
            )
            audit.record(
                session,
                actor,
                APP_KEY,
                "attachment_added",
                target=f"{course.slug}/{lesson.slug}",
                detail={"name": name},
            )

    _commit_or_discard(stored, change)


def remove_attachment(actor: audit.Actor, course_slug: object, lesson_slug: object, attachment_id: object) -> None:
    if not db.is_row_id(attachment_id):
        raise LookupError("not an attachment id")
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        lesson = lesson_by_slug(session, course, lesson_slug)
        attachment = session.get(LessonAttachment, attachment_id)
        if attachment is None or attachment.lesson_id != lesson.id:
            raise LookupError("no such attachment on this lesson")
        stored = attachment.stored_name
        session.delete(attachment)
        audit.record(
            session,
            actor,
            APP_KEY,
            "attachment_removed",
            target=f"{course.slug}/{lesson.slug}",
            detail={"name": attachment.name},
        )
    files.remove(APP_KEY, stored)


def set_video_file(actor: audit.Actor, course_slug: object, lesson_slug: object, source: BinaryIO) -> None:
    """Upload a lesson's video (MP4, up to 500 MB), replacing an uploaded one; a YouTube or Vimeo address
    on the lesson is shown instead when both are there."""
    stored = _store(source, allowed=files.VIDEOS, max_bytes=MAX_VIDEO_BYTES, field="video_file")
    old: list[str] = []

    def change() -> None:
        with db.write_session() as session:
            course = course_by_slug(session, course_slug, lock=True)
            lesson = lesson_by_slug(session, course, lesson_slug)
            old.append(lesson.video_file)
            lesson.video_file = stored.name
            session.add(lesson)
            audit.record(
                session,
                actor,
                APP_KEY,
                "video_uploaded",
                target=f"{course.slug}/{lesson.slug}",
                detail={"size": stored.size},
            )

    _commit_or_discard(stored, change)
    files.remove(APP_KEY, old[0])


def remove_video_file(actor: audit.Actor, course_slug: object, lesson_slug: object) -> None:
    with db.write_session() as session:
        course = course_by_slug(session, course_slug, lock=True)
        lesson = lesson_by_slug(session, course, lesson_slug)
        old, lesson.video_file = lesson.video_file, ""
        session.add(lesson)
        audit.record(session, actor, APP_KEY, "video_removed", target=f"{course.slug}/{lesson.slug}")
    files.remove(APP_KEY, old)


# --- reading, for the routes -------------------------------------------------------------------------------


def cover(stored_name: object) -> files.ServedFile:
    """A course's cover, by its stored name (the caller has checked the asker may see courses)."""
    with db.read_session() as session:
        known = session.exec(select(Course.id).where(Course.cover_file == stored_name)).first()
    if not isinstance(stored_name, str) or not stored_name or known is None:
        raise LookupError("no such cover")
    return files.served(APP_KEY, stored_name)


def _attachment_row(session: Session, attachment_id: object) -> tuple[LessonAttachment, Lesson, Course]:
    if not db.is_row_id(attachment_id):
        raise LookupError("not an attachment id")
    attachment = session.get(LessonAttachment, attachment_id)
    if attachment is None:
        raise LookupError("no such attachment")
    lesson = session.get(Lesson, attachment.lesson_id)
    return attachment, lesson, session.get(Course, lesson.course_id)


def attachment_for_member(account_id: int, attachment_id: object) -> files.ServedFile:
    """A lesson's attachment for a member: LookupError unless that lesson is open to the account now."""
    with db.read_session() as session:
        attachment, lesson, course = _attachment_row(session, attachment_id)
        find_lesson(session, account_id, course.slug, lesson.slug)
    return files.served(APP_KEY, attachment.stored_name, attachment.name)


def attachment_for_editor(attachment_id: object) -> files.ServedFile:
    """A lesson's attachment for staff or an instructor (drafts and locked lessons included)."""
    with db.read_session() as session:
        attachment, _, _ = _attachment_row(session, attachment_id)
    return files.served(APP_KEY, attachment.stored_name, attachment.name)


def _video_row(session: Session, lesson_id: object) -> tuple[Lesson, Course]:
    if not db.is_row_id(lesson_id):
        raise LookupError("not a lesson id")
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or not lesson.video_file:
        raise LookupError("no uploaded video")
    return lesson, session.get(Course, lesson.course_id)


def video_for_member(account_id: int, lesson_id: object) -> files.ServedFile:
    with db.read_session() as session:
        lesson, course = _video_row(session, lesson_id)
        find_lesson(session, account_id, course.slug, lesson.slug)
    return files.served(APP_KEY, lesson.video_file)


def video_for_editor(lesson_id: object) -> files.ServedFile:
    with db.read_session() as session:
        lesson, _ = _video_row(session, lesson_id)
    return files.served(APP_KEY, lesson.video_file)
