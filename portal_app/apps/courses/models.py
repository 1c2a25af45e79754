"""Membership Courses' tables: courses, their modules and lessons, who is enrolled, and which lessons each person finished."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime

MAX_SLUG_LENGTH = 80
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_LESSON_BODY_LENGTH = 100_000


class Course(SQLModel, table=True):
    __table_args__ = (
        # The courses offered to everyone with the app, in their order (My courses).
        Index("ix_course_published_everyone", "published", "for_everyone", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=MAX_SLUG_LENGTH, unique=True)
    title: str = Field(max_length=MAX_TITLE_LENGTH)
    description: str = Field(default="", max_length=MAX_DESCRIPTION_LENGTH)
    published: bool = False
    # Open to every account that has the app, without an enrolment.
    for_everyone: bool = False
    position: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)


class Module(SQLModel, table=True):
    __table_args__ = (
        # A course's modules in order.
        Index("ix_module_course_position", "course_id", "position", "id"),
        # The target of Lesson's (module_id, course_id) key: a lesson's course is its module's course.
        UniqueConstraint("id", "course_id", name="uq_module_id_course"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(sa_column=Column(Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False))
    title: str = Field(max_length=MAX_TITLE_LENGTH)
    position: int = 0


class Lesson(SQLModel, table=True):
    __table_args__ = (
        # A lesson's slug is unique within its course (course_id is the module's, copied here so
        # the database can hold the rule); lesson pages look lessons up by (course, slug).
        UniqueConstraint("course_id", "slug", name="uq_lesson_course_slug"),
        ForeignKeyConstraint(
            ["module_id", "course_id"], ["module.id", "module.course_id"], ondelete="CASCADE", name="fk_lesson_module"
        ),
        # A module's lessons in order.
        Index("ix_lesson_module_position", "module_id", "position", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(sa_column=Column(Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False))
    module_id: int = Field(sa_column=Column(Integer, nullable=False))
    slug: str = Field(max_length=MAX_SLUG_LENGTH)
    title: str = Field(max_length=MAX_TITLE_LENGTH)
    body_markdown: str = Field(default="", sa_column=Column(Text, nullable=False))
    position: int = 0


class Enrolment(SQLModel, table=True):
    __table_args__ = (
        # One enrolment per person and course; also "my enrolments" (account_id leads).
        UniqueConstraint("account_id", "course_id", name="uq_enrolment_account_course"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False))
    course_id: int = Field(sa_column=Column(Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False))
    enrolled_at: datetime = Field(sa_type=UTCDateTime)


class LessonCompletion(SQLModel, table=True):
    __table_args__ = (
        # A lesson counts once per person, however many tabs mark it.
        UniqueConstraint("account_id", "lesson_id", name="uq_lessoncompletion_account_lesson"),
        # "My completions in a course": progress on My courses and the course page reads this index only.
        Index("ix_lessoncompletion_account_course", "account_id", "course_id", "lesson_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False))
    course_id: int = Field(sa_column=Column(Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False))
    lesson_id: int = Field(sa_column=Column(Integer, ForeignKey("lesson.id", ondelete="CASCADE"), nullable=False))
    completed_at: datetime = Field(sa_type=UTCDateTime)
