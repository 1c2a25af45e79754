"""Communities: groups, channels, members, posts, comments, likes, reports

Revision ID: 96a3af972cbb
Revises:
Create Date: 2026-12-04 22:43:08.797663

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

import portal_app.kernel.db_types  # the UTCDateTime column type
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "96a3af972cbb"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "communitygroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("visibility", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("posting", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["communitygroup.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "slug", name="uq_channel_group_slug"),
    )
    op.create_table(
        "groupmember",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("joined_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["communitygroup.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "account_id", name="uq_groupmember_group_account"),
    )
    with op.batch_alter_table("groupmember", schema=None) as batch_op:
        batch_op.create_index("ix_groupmember_account_status", ["account_id", "status"], unique=False)

    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("comments_closed", sa.Boolean(), nullable=False),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("created_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["channel_id"], ["channel.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["communitygroup.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index("ix_post_author_time", ["author_id", "created_at"], unique=False)
        batch_op.create_index("ix_post_channel_feed", ["channel_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_post_group_feed", ["group_id", "created_at", "id"], unique=False)

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("created_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["comment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index("ix_comment_author_time", ["author_id", "created_at"], unique=False)
        batch_op.create_index("ix_comment_post_time", ["post_id", "created_at", "id"], unique=False)

    op.create_table(
        "postlike",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "account_id", name="uq_postlike_post_account"),
    )
    op.create_table(
        "commentlike",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", "account_id", name="uq_commentlike_comment_account"),
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["communitygroup.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reporter_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index("ix_report_group_status", ["group_id", "status", "id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_group_status")

    op.drop_table("report")
    op.drop_table("commentlike")
    op.drop_table("postlike")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_post_time")
        batch_op.drop_index("ix_comment_author_time")

    op.drop_table("comment")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_group_feed")
        batch_op.drop_index("ix_post_channel_feed")
        batch_op.drop_index("ix_post_author_time")

    op.drop_table("post")
    with op.batch_alter_table("groupmember", schema=None) as batch_op:
        batch_op.drop_index("ix_groupmember_account_status")

    op.drop_table("groupmember")
    op.drop_table("channel")
    op.drop_table("communitygroup")
