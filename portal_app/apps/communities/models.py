"""Communities' tables: groups and their channels, who belongs (and as what), posts, comments, likes
and reports.

Feeds are read newest first by (created_at, id) keys, never OFFSET; counters of likes and comments
are kept on the row they count, changed in the transaction that changes what they count.
"""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.kernel import db
from portal_app.kernel.db_types import UTCDateTime

MAX_SLUG_LENGTH = 80
MAX_NAME_LENGTH = 120
MAX_DESCRIPTION_LENGTH = 2000
MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 20_000
MAX_COMMENT_LENGTH = 5_000
MAX_REASON_LENGTH = 500
MAX_FILE_NAME_LENGTH = 200
MAX_ALT_LENGTH = 300
# Who may see a group's posts: anyone with the app (public) or its members only (private).
VISIBILITIES = ("public", "private")
# Who may post: every member, or its admins only (announcements).
POSTING = ("everyone", "admins")
# A member's role in a group, lowest first.
GROUP_ROLES = ("member", "moderator", "admin", "owner")
# A membership is active, waiting for approval (a private group), or banned.
MEMBER_STATUSES = ("active", "pending", "banned")
REPORT_STATUSES = ("open", "resolved", "dismissed")


def _account(ondelete: str = "CASCADE") -> Column:
    return Column(Integer, ForeignKey("account.id", ondelete=ondelete), nullable=False)


class CommunityGroup(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=MAX_SLUG_LENGTH, unique=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    description: str = Field(default="", max_length=MAX_DESCRIPTION_LENGTH)
    visibility: str = Field(default="public", max_length=16)
    posting: str = Field(default="everyone", max_length=16)
    archived: bool = False
    position: int = 0
    # The group's cover image, a file name under the app's uploads (apps/files.py); "" for none.
    cover_file: str = Field(default="", max_length=MAX_FILE_NAME_LENGTH)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Channel(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("group_id", "slug", name="uq_channel_group_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(
        sa_column=Column(Integer, ForeignKey("communitygroup.id", ondelete="CASCADE"), nullable=False)
    )
    slug: str = Field(max_length=MAX_SLUG_LENGTH)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    position: int = 0


class GroupMember(SQLModel, table=True):
    __table_args__ = (
        # One membership per person and group; also a group's members (group_id leads).
        UniqueConstraint("group_id", "account_id", name="uq_groupmember_group_account"),
        # "My groups".
        Index("ix_groupmember_account_status", "account_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(
        sa_column=Column(Integer, ForeignKey("communitygroup.id", ondelete="CASCADE"), nullable=False)
    )
    account_id: int = Field(sa_column=_account())
    role: str = Field(default="member", max_length=16)
    status: str = Field(default="active", max_length=16)
    joined_at: datetime = Field(sa_type=UTCDateTime)
    # When the person last opened the group: posts after it are "new" (unread counts).
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Post(SQLModel, table=True):
    __table_args__ = (
        # A channel's feed, newest first (pinned posts are read apart, a handful at most).
        Index("ix_post_channel_feed", "channel_id", "created_at", "id"),
        # A group's feed across its channels, and its new posts since a visit.
        Index("ix_post_group_feed", "group_id", "created_at", "id"),
        # A person's posts in a minute (the posting limit).
        Index("ix_post_author_time", "author_id", "created_at"),
        # The pinned posts above a feed's first page: found without reading the feed.
        Index("ix_post_group_pinned", "group_id", "pinned", "created_at"),
        Index("ix_post_channel_pinned", "channel_id", "pinned", "created_at"),
        # ix_post_search, PostgreSQL's GIN full-text index (migration 603152eb0837; posts.search), is made by
        # the migration alone: its expression cannot be compared, so autogenerate must leave it be.
        {"info": {db.UNMODELLED_INDEXES: ("ix_post_search",)}},
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(
        sa_column=Column(Integer, ForeignKey("communitygroup.id", ondelete="CASCADE"), nullable=False)
    )
    channel_id: int = Field(sa_column=Column(Integer, ForeignKey("channel.id", ondelete="CASCADE"), nullable=False))
    author_id: int = Field(sa_column=_account())
    title: str = Field(default="", max_length=MAX_TITLE_LENGTH)
    body_markdown: str = Field(default="", sa_column=Column(Text, nullable=False))
    # An image shown under the text, a file name under the app's uploads (apps/files.py); "" for none.
    image_file: str = Field(default="", max_length=MAX_FILE_NAME_LENGTH)
    # What the image shows, for people who cannot see it.
    image_alt: str = Field(default="", max_length=MAX_ALT_LENGTH)
    pinned: bool = False
    hidden: bool = False
    comments_closed: bool = False
    like_count: int = 0
    comment_count: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Comment(SQLModel, table=True):
    __table_args__ = (
        # A post's comments in order.
        Index("ix_comment_post_time", "post_id", "created_at", "id"),
        Index("ix_comment_author_time", "author_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=False))
    # One level of replies: a reply names the comment it answers, which is never a reply itself.
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), nullable=True)
    )
    author_id: int = Field(sa_column=_account())
    body_markdown: str = Field(sa_column=Column(Text, nullable=False))
    hidden: bool = False
    like_count: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PostLike(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("post_id", "account_id", name="uq_postlike_post_account"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=False))
    account_id: int = Field(sa_column=_account())
    created_at: datetime = Field(sa_type=UTCDateTime)


class CommentLike(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("comment_id", "account_id", name="uq_commentlike_comment_account"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), nullable=False))
    account_id: int = Field(sa_column=_account())
    created_at: datetime = Field(sa_type=UTCDateTime)


class Report(SQLModel, table=True):
    """A member's report of a post or comment, for the group's moderators and the admin area."""

    __table_args__ = (
        Index("ix_report_group_status", "group_id", "status", "id"),
        # The admin-wide queue: every group's open reports, newest first.
        Index("ix_report_status", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(
        sa_column=Column(Integer, ForeignKey("communitygroup.id", ondelete="CASCADE"), nullable=False)
    )
    post_id: int = Field(sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=False))
    comment_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), nullable=True)
    )
    reporter_id: int = Field(sa_column=_account())
    reason: str = Field(max_length=MAX_REASON_LENGTH)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ThreadNotice(SQLModel, table=True):
    """Something in a thread (a post and its comments) for one person to hear about: a reply to their
    post or comment, or a mention. Waits here until their next email for that thread (notices.py)."""

    __table_args__ = (Index("ix_threadnotice_account_post", "account_id", "post_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_account())
    post_id: int = Field(sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=False))
    comment_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), nullable=True)
    )
    actor_id: int = Field(sa_column=_account())
    # "reply" (to their post or comment) or "mention".
    kind: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ThreadEmail(SQLModel, table=True):
    """When a person was last emailed about a thread: at most one email per thread per hour."""

    __table_args__ = (UniqueConstraint("account_id", "post_id", name="uq_threademail_account_post"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_account())
    post_id: int = Field(sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=False))
    sent_at: datetime = Field(sa_type=UTCDateTime)
