"""Membership Courses' tables: courses, their modules and lessons, who is enrolled, and which lessons each person finished."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, ForeignKeyConstraint, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime

MAX_SLUG_LENGTH = 80
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_LESSON_BODY_LENGTH = 100_000
MAX_URL_LENGTH = 500
MAX_QUESTION_LENGTH = 1000
MAX_CHOICE_LENGTH = 300
MAX_NAME_LENGTH = 200
# The kinds of lesson: one to read (and mark complete), or a quiz (passed to complete it).
LESSON_KINDS = ("lesson", "quiz")


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
    # Completing every lesson issues a certificate.
    certificate_enabled: bool = False
    # The cover image's stored name (apps/files.py), "" for none.
    cover_file: str = Field(default="", max_length=40)
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
    # Drip: the module opens N days after enrolment and/or on a date (the business's time zone).
    unlock_after_days: int | None = None
    unlock_on: date | None = Field(default=None, sa_type=Date)


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
    kind: str = Field(default="lesson", max_length=16)
    # A YouTube or Vimeo address, shown as an embed from the allow-list in video.py ("" for none).
    video_url: str = Field(default="", max_length=MAX_URL_LENGTH)
    # Or an uploaded mp4 (its stored name in apps/files.py), served only to people the lesson is open to.
    video_file: str = Field(default="", max_length=40)
    # Drip, as on Module; a lesson opens when both it and its module have.
    unlock_after_days: int | None = None
    unlock_on: date | None = Field(default=None, sa_type=Date)
    # Quizzes: the score that passes (percent of questions right), how many attempts (0 = no limit),
    # and whether a member sees which answers were wrong.
    pass_percent: int = 70
    max_attempts: int = 0
    show_answers: bool = False


class Enrolment(SQLModel, table=True):
    __table_args__ = (
        # One enrolment per person and course; also "my enrolments" (account_id leads).
        UniqueConstraint("account_id", "course_id", name="uq_enrolment_account_course"),
        # A course's members (the owner's enrolment and progress pages, and the course's delete cascade).
        Index("ix_enrolment_course", "course_id", "account_id"),
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
        # A course's progress by member (the owner's progress page) and a course's delete cascade.
        Index("ix_lessoncompletion_course_account", "course_id", "account_id"),
        # A lesson's delete cascade (the course builder), without reading every completion.
        Index("ix_lessoncompletion_lesson", "lesson_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False))
    course_id: int = Field(sa_column=Column(Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False))
    lesson_id: int = Field(sa_column=Column(Integer, ForeignKey("lesson.id", ondelete="CASCADE"), nullable=False))
    completed_at: datetime = Field(sa_type=UTCDateTime)


class QuizQuestion(SQLModel, table=True):
    __table_args__ = (Index("ix_quizquestion_lesson_position", "lesson_id", "position", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(sa_column=Column(Integer, ForeignKey("lesson.id", ondelete="CASCADE"), nullable=False))
    prompt: str = Field(max_length=MAX_QUESTION_LENGTH)
    # More than one choice may be right (check boxes), else exactly one (radio buttons).
    multiple: bool = False
    position: int = 0


class QuizChoice(SQLModel, table=True):
    __table_args__ = (Index("ix_quizchoice_question_position", "question_id", "position", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(
        sa_column=Column(Integer, ForeignKey("quizquestion.id", ondelete="CASCADE"), nullable=False)
    )
    text: str = Field(max_length=MAX_CHOICE_LENGTH)
    correct: bool = False
    position: int = 0


class QuizAttempt(SQLModel, table=True):
    """One submitted quiz, kept whatever the score (the owner's progress page shows them)."""

    __table_args__ = (
        Index("ix_quizattempt_account_lesson", "account_id", "lesson_id", "id"),
        # A course's quiz results (the owner's progress page) and the cascades when a lesson or course goes.
        Index("ix_quizattempt_course_lesson", "course_id", "lesson_id"),
        Index("ix_quizattempt_lesson", "lesson_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False))
    course_id: int = Field(sa_column=Column(Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False))
    lesson_id: int = Field(sa_column=Column(Integer, ForeignKey("lesson.id", ondelete="CASCADE"), nullable=False))
    # {question id: [choice ids]} as submitted (after checking they belong to the quiz).
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    correct_count: int = 0
    question_count: int = 0
    score_percent: int = 0
    passed: bool = False
    submitted_at: datetime = Field(sa_type=UTCDateTime)


class Certificate(SQLModel, table=True):
    """Proof that a person completed a course: public to whoever has the code (the link).

    Names and the date are copied at issue time, so the certificate reads the same after a course is
    renamed or the business changes its time zone.
    """

    __table_args__ = (
        UniqueConstraint("account_id", "course_id", name="uq_certificate_account_course"),
        Index("ix_certificate_course", "course_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False))
    course_id: int = Field(sa_column=Column(Integer, ForeignKey("course.id", ondelete="CASCADE"), nullable=False))
    recipient_name: str = Field(max_length=MAX_NAME_LENGTH)
    course_title: str = Field(max_length=MAX_TITLE_LENGTH)
    business_name: str = Field(max_length=MAX_NAME_LENGTH)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    # The date it shows: the business's calendar date at issue, kept even if the time zone changes later.
    issued_on: date = Field(sa_type=Date)


class LessonAttachment(SQLModel, table=True):
    """A file the owner attached to a lesson, downloadable by the people the lesson is open to."""

    __table_args__ = (Index("ix_lessonattachment_lesson", "lesson_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(sa_column=Column(Integer, ForeignKey("lesson.id", ondelete="CASCADE"), nullable=False))
    # What people see and download it as, and where it is stored (apps/files.py).
    name: str = Field(max_length=MAX_NAME_LENGTH)
    stored_name: str = Field(max_length=40, unique=True)
    content_type: str = Field(max_length=64)
    size: int
    added_at: datetime = Field(sa_type=UTCDateTime)


class DripDigest(SQLModel, table=True):
    """Where one person's "lessons unlocked" digest stands: unlocks up to `notified_through` were
    told (or were before the person's first digest), and the last email went at `sent_at`."""

    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True, nullable=False)
    )
    notified_through: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
