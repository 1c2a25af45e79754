"""The owner's side of Communities: every group with its weekly figures, archiving, and editing one
group (its name, address, description, who may see it and post, its cover). Creating a group is
groups.create_group; channels, members and the admin-wide moderation queue are owner_channels.py,
owner_members.py and owner_reports.py. Every change is in the audit log, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal_app.apps import audit, fields, files
from portal_app.apps.communities.groups import APP_KEY, clean_group_fields, live_topic
from portal_app.apps.communities.models import (
    Comment,
    CommunityGroup,
    GroupMember,
    Post,
    Report,
)
from portal_app.kernel import clock, db, live
from portal_app.kernel.errors import FieldError, FormErrors

WEEK = timedelta(days=7)
MAX_COVER_BYTES = 5 * 1024 * 1024
# Served by the app's HTTP route (the group's slug names the cover it shows).
COVERS_PATH = "/api/apps/communities/covers"


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


def group_by_slug(session: Session, slug: object, *, lock: bool = False) -> CommunityGroup:
    """The group at `slug` (archived or not), for staff; LookupError for a malformed or unknown slug."""
    if not fields.is_slug(slug):
        raise LookupError("not a group slug")
    statement = select(CommunityGroup).where(CommunityGroup.slug == slug)
    group = session.exec(statement.with_for_update() if lock else statement).first()
    if group is None:
        raise LookupError("no such group")
    return group


def set_archived(actor: audit.Actor, slug: object, archived: object) -> None:
    """Archive a group (read-only for its members, hidden from My groups and from joining) or bring it back."""
    if not isinstance(archived, bool):
        raise LookupError("not a group change")
    with db.write_session() as session:
        group = group_by_slug(session, slug, lock=True)
        group.archived = archived
        session.add(group)
        audit.record(session, actor, APP_KEY, "group_archived" if archived else "group_restored", target=group.slug)
        group_id = group.id
    live.publish(live_topic(group_id), {"change": "group"})


def cover_url(group: CommunityGroup) -> str:
    """Where the page shows the group's cover ("" without one). The query changes with the file, so a
    browser never keeps showing the cover it replaced."""
    if not group.cover_file:
        return ""
    return f"{COVERS_PATH}/{group.slug}?v={group.cover_file[:8]}"


@dataclass(frozen=True)
class GroupDetails:
    slug: str
    name: str
    description: str
    visibility: str
    posting: str
    archived: bool
    cover_url: str
    members: int
    pending: int
    open_reports: int


def group_details(slug: object) -> GroupDetails:
    """One group as its admin page shows it; LookupError when there is none at `slug`."""
    with db.read_session() as session:
        group = group_by_slug(session, slug)

        def count(statement) -> int:
            return session.exec(statement).one()

        members = count(select(func.count()).where(GroupMember.group_id == group.id, GroupMember.status == "active"))
        pending = count(select(func.count()).where(GroupMember.group_id == group.id, GroupMember.status == "pending"))
        reports = count(select(func.count()).where(Report.group_id == group.id, Report.status == "open"))
    return GroupDetails(
        slug=group.slug,
        name=group.name,
        description=group.description,
        visibility=group.visibility,
        posting=group.posting,
        archived=group.archived,
        cover_url=cover_url(group),
        members=members,
        pending=pending,
        open_reports=reports,
    )


def update_group(
    actor: audit.Actor,
    slug: object,
    *,
    name: object,
    new_slug: object,
    description: object,
    visibility: object,
    posting: object,
) -> tuple[str, bool]:
    """Change a group's name, address, description, visibility and posting rule: its slug now, and whether
    anything changed. FormErrors per refused field (an address another group uses included); LookupError
    when the group is not there. Links to the old address stop working: nothing redirects them."""
    values = clean_group_fields(
        name=name, slug=new_slug, description=description, visibility=visibility, posting=posting
    )
    taken = FormErrors({"slug": f"Another group already uses the address {values['slug']}."})
    try:
        with db.write_session() as session:
            group = group_by_slug(session, slug, lock=True)
            old_slug = group.slug
            changed = sorted(field for field, value in values.items() if getattr(group, field) != value)
            if not changed:
                return group.slug, False
            if "slug" in changed:
                other = session.exec(select(CommunityGroup.id).where(CommunityGroup.slug == values["slug"])).first()
                if other is not None:
                    raise taken
            for field in changed:
                setattr(group, field, values[field])
            session.add(group)
            detail: dict[str, object] = {"changed": changed}
            if "slug" in changed:
                detail["old_slug"] = old_slug
            audit.record(session, actor, APP_KEY, "group_updated", target=group.slug, detail=detail)
            group_id, new = group.id, group.slug
    except IntegrityError:
        raise taken from None
    live.publish(live_topic(group_id), {"change": "group"})
    return new, True


def set_cover(actor: audit.Actor, slug: object, source: BinaryIO) -> None:
    """Upload a group's cover (PNG, JPEG, GIF or WebP, up to 5 MB), replacing the old one (removed from disk
    once the change is stored). FormErrors({"cover": ...}) for a refused file: nothing is kept."""
    if not hasattr(source, "read"):
        raise FormErrors({"cover": "Choose a file to upload."})
    try:
        stored = files.store(APP_KEY, source, allowed=files.IMAGES, max_bytes=MAX_COVER_BYTES, field="cover")
    except FieldError as error:
        raise FormErrors({"cover": error.message}) from None
    try:
        with db.write_session() as session:
            group = group_by_slug(session, slug, lock=True)
            old, group.cover_file = group.cover_file, stored.name
            session.add(group)
            audit.record(session, actor, APP_KEY, "cover_set", target=group.slug, detail={"size": stored.size})
            group_id = group.id
    except BaseException:
        files.remove(APP_KEY, stored.name)
        raise
    files.remove(APP_KEY, old)
    live.publish(live_topic(group_id), {"change": "group"})


def remove_cover(actor: audit.Actor, slug: object) -> bool:
    """Take the group's cover away; False when it had none (nothing recorded)."""
    with db.write_session() as session:
        group = group_by_slug(session, slug, lock=True)
        old = group.cover_file
        if not old:
            return False
        group.cover_file = ""
        session.add(group)
        audit.record(session, actor, APP_KEY, "cover_removed", target=group.slug)
        group_id = group.id
    files.remove(APP_KEY, old)
    live.publish(live_topic(group_id), {"change": "group"})
    return True


__all__ = [
    "COVERS_PATH",
    "MAX_COVER_BYTES",
    "GroupDetails",
    "GroupFigures",
    "cover_url",
    "group_by_slug",
    "group_details",
    "list_groups",
    "remove_cover",
    "set_archived",
    "set_cover",
    "update_group",
]
