"""The admin-wide moderation queue: members' reports from every group, newest first, and what staff do
about one: resolve or dismiss it, hide (or show again) what was reported, or delete it.

What is done is actions.py's, shared with the groups' own moderators (the same audit action names).
Ids come from the report row, never from the page, so a page cannot point an action at another group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from portal_app.accounts.models import Account
from portal_app.apps import audit, files
from portal_app.apps.communities.actions import close_report, delete_content, set_hidden
from portal_app.apps.communities.groups import APP_KEY, live_topic
from portal_app.apps.communities.models import REPORT_STATUSES, Comment, CommunityGroup, Post, Report
from portal_app.apps.communities.owner import group_by_slug
from portal_app.kernel import db, live

PAGE_SIZE = 25
EXCERPT_LENGTH = 300
ACTIONS = ("resolve", "dismiss", "hide", "show", "delete")


# --- the queue ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportItem:
    id: int
    group_slug: str
    group_name: str
    post_id: int
    comment_id: int | None
    post_title: str
    # What was reported, as its author wrote it, cut to EXCERPT_LENGTH (the page shows it through safe_html).
    excerpt: str
    author: str
    # Whether members no longer see what was reported.
    hidden: bool
    reporter: str
    reporter_email: str
    reason: str
    status: str
    created_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class ReportsPage:
    items: tuple[ReportItem, ...]
    # The id to pass as `before` for older reports (None on the last page).
    next_before: int | None
    # Open reports in the groups shown (all groups, or the one asked for).
    open_count: int


def reports(*, status: object = "open", group_slug: object = "", before: object = None) -> ReportsPage:
    """One page of reports with `status`, newest first by id (never OFFSET), of every group or of the group
    at `group_slug`. LookupError for an unknown status, group or page position."""
    if status not in REPORT_STATUSES:
        raise LookupError("not a report status")
    if before is not None and not db.is_row_id(before):
        raise LookupError("not a page position")
    with db.read_session() as session:
        scope = []
        if group_slug not in ("", None):
            scope.append(Report.group_id == group_by_slug(session, group_slug).id)
        open_count = session.exec(select(func.count()).where(Report.status == "open", *scope)).one()
        statement = (
            select(Report, CommunityGroup.slug, CommunityGroup.name, Account.full_name, Account.email)
            .join(CommunityGroup, CommunityGroup.id == Report.group_id)
            .join(Account, Account.id == Report.reporter_id)
            .where(Report.status == status, *scope)
        )
        if before is not None:
            statement = statement.where(Report.id < before)
        rows = session.exec(statement.order_by(col(Report.id).desc()).limit(PAGE_SIZE + 1)).all()
        page = rows[:PAGE_SIZE]
        posts = {
            post.id: post
            for post in session.exec(select(Post).where(col(Post.id).in_({row[0].post_id for row in page})))
        }
        comment_ids = {row[0].comment_id for row in page if row[0].comment_id is not None}
        comments = {
            comment.id: comment for comment in session.exec(select(Comment).where(col(Comment.id).in_(comment_ids)))
        }
        author_ids = {post.author_id for post in posts.values()} | {c.author_id for c in comments.values()}
        authors = dict(session.exec(select(Account.id, Account.full_name).where(col(Account.id).in_(author_ids))).all())
    items = []
    for report, group_slug_of, group_name, reporter, reporter_email in page:
        post = posts[report.post_id]
        source = comments[report.comment_id] if report.comment_id is not None else post
        items.append(
            ReportItem(
                id=report.id,
                group_slug=group_slug_of,
                group_name=group_name,
                post_id=post.id,
                comment_id=report.comment_id,
                post_title=post.title,
                excerpt=source.body_markdown[:EXCERPT_LENGTH],
                author=authors.get(source.author_id, "A former member"),
                hidden=source.hidden,
                reporter=reporter,
                reporter_email=reporter_email,
                reason=report.reason,
                status=report.status,
                created_at=report.created_at,
                resolved_at=report.resolved_at,
            )
        )
    return ReportsPage(tuple(items), page[-1][0].id if len(rows) > PAGE_SIZE else None, open_count)


def _same_target(report: Report):
    """Reports of exactly what `report` names: the post itself, or that one comment."""
    return (
        Report.post_id == report.post_id,
        Report.comment_id == report.comment_id if report.comment_id is not None else col(Report.comment_id).is_(None),
    )


def act(actor: audit.Actor, report_id: object, action: object) -> bool:
    """Do `action` about a report: "resolve" or "dismiss" it; "hide" what it names (every open report of
    that post or comment is then resolved); "show" it again; "delete" it (its reports go with it).

    False when there was nothing to do (showing what is not hidden). LookupError for an unknown action or
    report, or one that is no longer open (another tab closed it) for anything but "show".
    """
    if action not in ACTIONS or not db.is_row_id(report_id):
        raise LookupError("not a report action")
    with db.write_session() as session:
        report = session.exec(select(Report).where(Report.id == report_id).with_for_update()).first()
        if report is None or (action != "show" and report.status != "open"):
            raise LookupError("no such open report")
        group = session.get(CommunityGroup, report.group_id)
        post = session.get(Post, report.post_id)
        comment = session.get(Comment, report.comment_id) if report.comment_id is not None else None
        if group is None or post is None or post.group_id != group.id or (report.comment_id and comment is None):
            raise LookupError("what was reported is gone")
        if comment is not None and comment.post_id != post.id:
            raise LookupError("that comment is on another post")
        removed: list[str] = []
        done = moderated = True
        if action in ("resolve", "dismiss"):
            close_report(session, actor, group, report, "resolved" if action == "resolve" else "dismissed")
            moderated = False
        elif action == "hide":
            set_hidden(session, actor, group, post, comment, True)
            for other in session.exec(select(Report).where(Report.status == "open", *_same_target(report))):
                close_report(session, actor, group, other, "resolved")
        elif action == "show":
            done = moderated = set_hidden(session, actor, group, post, comment, False)
        else:
            scope = [Report.post_id == post.id] if comment is None else list(_same_target(report))
            closed = sorted(session.exec(select(Report.id).where(Report.status == "open", *scope)))
            detail = {"report": report.id, "reason": report.reason, "open_reports_closed": closed}
            removed = delete_content(session, actor, group, post, comment, detail)
        group_id = group.id
    for name in removed:
        files.remove(APP_KEY, name)
    if moderated:
        live.publish(live_topic(group_id), {"change": "moderated"})
    return done


__all__ = [
    "ACTIONS",
    "PAGE_SIZE",
    "ReportItem",
    "ReportsPage",
    "act",
    "reports",
]
