"""Membership Courses: course, module, lesson, enrolment and lessoncompletion tables.

Revision ID: 5995c1b4ca2d
Revises:
Create Date: 2026-12-02 03:55:03.710024

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

import portal_app.kernel.db_types  # the UTCDateTime column type
from alembic import op

revision: str = "5995c1b4ca2d"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("for_everyone", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index("ix_course_published_everyone", ["published", "for_everyone", "position"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "course_id", name="uq_enrolment_account_course"),
    )
    op.create_table(
        "module",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id", "course_id", name="uq_module_id_course"),
    )
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.create_index("ix_module_course_position", ["course_id", "position", "id"], unique=False)

    op.create_table(
        "lesson",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["module_id", "course_id"], ["module.id", "module.course_id"], name="fk_lesson_module", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "slug", name="uq_lesson_course_slug"),
    )
    with op.batch_alter_table("lesson", schema=None) as batch_op:
        batch_op.create_index("ix_lesson_module_position", ["module_id", "position", "id"], unique=False)

    op.create_table(
        "lessoncompletion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "lesson_id", name="uq_lessoncompletion_account_lesson"),
    )
    with op.batch_alter_table("lessoncompletion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lessoncompletion_account_course", ["account_id", "course_id", "lesson_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lessoncompletion", schema=None) as batch_op:
        batch_op.drop_index("ix_lessoncompletion_account_course")

    op.drop_table("lessoncompletion")
    with op.batch_alter_table("lesson", schema=None) as batch_op:
        batch_op.drop_index("ix_lesson_module_position")

    op.drop_table("lesson")
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.drop_index("ix_module_course_position")

    op.drop_table("module")
    op.drop_table("enrolment")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index("ix_course_published_everyone")

    op.drop_table("course")
