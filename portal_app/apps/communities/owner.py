"""The owner's side of Communities: every group with its weekly figures, and archiving. Creating a group
is groups.create_group; every change is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from portal_app.apps import audit, fields
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.communities.models import Comment, CommunityGroup, GroupMember, Post, Report
from portal_app.kernel import clock, db

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class GroupFigures:
    slug: str
    name: str
    visibility: str
    posting: str
    archived: bool
    members: int
    pending: int
    # The last seven days.
    posts_this_week: int
    comments_this_week: int
    active_members_this_week: int
    open_reports: int


def list_groups() -> list[GroupFigures]:
    """Every group, archived ones last, with its members and last week's activity (grouped counts, one read each)."""
    since = clock.now() - WEEK
    with db.read_session() as session:
        groups = session.exec(
            select(CommunityGroup).order_by(CommunityGroup.archived, CommunityGroup.position, CommunityGroup.id)
        ).all()

        def counts(statement) -> dict[int, int]:
            return dict(session.exec(statement).all())

        members = counts(
            select(GroupMember.group_id, func.count())
            .where(GroupMember.status == "active")
            .group_by(GroupMember.group_id)
        )
        pending = counts(
            select(GroupMember.group_id, func.count())
            .where(GroupMember.status == "pending")
            .group_by(GroupMember.group_id)
        )
        posts = counts(select(Post.group_id, func.count()).where(Post.created_at >= since).group_by(Post.group_id))
        comments = counts(
            select(Post.group_id, func.count())
            .join(Comment, Comment.post_id == Post.id)
            .where(Comment.created_at >= since)
            .group_by(Post.group_id)
        )
        authors = select(Post.group_id.label("group_id"), Post.author_id.label("author")).where(
            Post.created_at >= since
        )
        commenters = (
            select(Post.group_id.label("group_id"), Comment.author_id.label("author"))
            .join(Comment, Comment.post_id == Post.id)
            .where(Comment.created_at >= since)
        )
        both = authors.union(commenters).subquery()
        active = counts(select(both.c.group_id, func.count()).group_by(both.c.group_id))
        reports = counts(select(Report.group_id, func.count()).where(Report.status == "open").group_by(Report.group_id))
    return [
        GroupFigures(
            slug=group.slug,
            name=group.name,
            visibility=group.visibility,
            posting=group.posting,
            archived=group.archived,
            members=members.get(group.id, 0),
            pending=pending.get(group.id, 0),
            posts_this_week=posts.get(group.id, 0),
            comments_this_week=comments.get(group.id, 0),
            active_members_this_week=active.get(group.id, 0),
            open_reports=reports.get(group.id, 0),
        )
        for group in groups
    ]


def set_archived(actor: audit.Actor, slug: object, archived: object) -> None:
    """Archive a group (read-only for its members, hidden from My groups and from joining) or bring it back."""
    if not fields.is_slug(slug) or not isinstance(archived, bool):
        raise LookupError("not a group change")
    with db.write_session() as session:
        group = session.exec(select(CommunityGroup).where(CommunityGroup.slug == slug)).first()
        if group is None:
            raise LookupError("no such group")
        group.archived = archived
        session.add(group)
        audit.record(session, actor, APP_KEY, "group_archived" if archived else "group_restored", target=group.slug)


__all__ = ["GroupFigures", "list_groups", "set_archived"]
