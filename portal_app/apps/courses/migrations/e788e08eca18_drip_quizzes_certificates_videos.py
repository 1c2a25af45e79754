"""Membership Courses: drip on modules and lessons, video lessons (embedded or uploaded), lesson
attachments, course covers, quizzes with their attempts, and certificates.

Existing rows get the defaults: no drip, no video, ordinary lessons, certificates off.

Revision ID: e788e08eca18
Revises: 5995c1b4ca2d
Create Date: 2026-12-04 21:29:02.169096

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

import portal_app.kernel.db_types  # the UTCDateTime column type
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e788e08eca18"
down_revision: Union[str, Sequence[str], None] = "5995c1b4ca2d"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("course_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("business_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("issued_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "course_id", name="uq_certificate_account_course"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "quizattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("correct_count", sa.Integer(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("score_percent", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quizattempt", schema=None) as batch_op:
        batch_op.create_index("ix_quizattempt_account_lesson", ["account_id", "lesson_id", "id"], unique=False)

    op.create_table(
        "quizquestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("prompt", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quizquestion", schema=None) as batch_op:
        batch_op.create_index("ix_quizquestion_lesson_position", ["lesson_id", "position", "id"], unique=False)

    op.create_table(
        "quizchoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["quizquestion.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quizchoice", schema=None) as batch_op:
        batch_op.create_index("ix_quizchoice_question_position", ["question_id", "position", "id"], unique=False)

    op.create_table(
        "dripdigest",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("notified_through", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "lessonattachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("added_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("lessonattachment", schema=None) as batch_op:
        batch_op.create_index("ix_lessonattachment_lesson", ["lesson_id", "id"], unique=False)
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index("ix_certificate_course", ["course_id"], unique=False)
    with op.batch_alter_table("quizattempt", schema=None) as batch_op:
        batch_op.create_index("ix_quizattempt_course_lesson", ["course_id", "lesson_id"], unique=False)
        batch_op.create_index("ix_quizattempt_lesson", ["lesson_id"], unique=False)
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_index("ix_enrolment_course", ["course_id", "account_id"], unique=False)
    with op.batch_alter_table("lessoncompletion", schema=None) as batch_op:
        batch_op.create_index("ix_lessoncompletion_course_account", ["course_id", "account_id"], unique=False)
        batch_op.create_index("ix_lessoncompletion_lesson", ["lesson_id"], unique=False)

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certificate_enabled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(
            sa.Column("cover_file", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default="")
        )

    with op.batch_alter_table("lesson", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("video_file", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="lesson")
        )
        batch_op.add_column(
            sa.Column("video_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("unlock_after_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("unlock_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("pass_percent", sa.Integer(), nullable=False, server_default="70"))
        batch_op.add_column(sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("show_answers", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unlock_after_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("unlock_on", sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("dripdigest")
    with op.batch_alter_table("lessonattachment", schema=None) as batch_op:
        batch_op.drop_index("ix_lessonattachment_lesson")
    op.drop_table("lessonattachment")
    with op.batch_alter_table("lessoncompletion", schema=None) as batch_op:
        batch_op.drop_index("ix_lessoncompletion_lesson")
        batch_op.drop_index("ix_lessoncompletion_course_account")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolment_course")
    with op.batch_alter_table("quizattempt", schema=None) as batch_op:
        batch_op.drop_index("ix_quizattempt_lesson")
        batch_op.drop_index("ix_quizattempt_course_lesson")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_course")
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.drop_column("unlock_on")
        batch_op.drop_column("unlock_after_days")

    with op.batch_alter_table("lesson", schema=None) as batch_op:
        batch_op.drop_column("video_file")
        batch_op.drop_column("show_answers")
        batch_op.drop_column("max_attempts")
        batch_op.drop_column("pass_percent")
        batch_op.drop_column("unlock_on")
        batch_op.drop_column("unlock_after_days")
        batch_op.drop_column("video_url")
        batch_op.drop_column("kind")

    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("cover_file")
        batch_op.drop_column("certificate_enabled")

    with op.batch_alter_table("quizchoice", schema=None) as batch_op:
        batch_op.drop_index("ix_quizchoice_question_position")

    op.drop_table("quizchoice")
    with op.batch_alter_table("quizquestion", schema=None) as batch_op:
        batch_op.drop_index("ix_quizquestion_lesson_position")

    op.drop_table("quizquestion")
    with op.batch_alter_table("quizattempt", schema=None) as batch_op:
        batch_op.drop_index("ix_quizattempt_account_lesson")

    op.drop_table("quizattempt")
    op.drop_table("certificate")
