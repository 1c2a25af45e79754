"""Moderation: moderators (and admins and owners) pin and unpin, hide and unhide, close comments on a
post, and work through members' reports; members report a post or comment with a reason.

Every moderation action is in the audit log, naming the moderator as an account and their role in
the group (apps/audit.member_actor). Ids are looked up within the group, so another group's post,
comment or report is refused like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.apps import audit, fields
from portal_app.apps.communities import actions
from portal_app.apps.communities.groups import APP_KEY, Opened, live_topic, open_group
from portal_app.apps.communities.models import MAX_REASON_LENGTH, Comment, Post, Report
from portal_app.apps.communities.posts import MAX_PINNED
from portal_app.kernel import clock, db, live
from portal_app.kernel.errors import FieldError, FormErrors


def _moderator(session: Session, account_id: int, group_slug: object) -> tuple[Opened, audit.Actor]:
    opened = open_group(session, account_id, group_slug)
    if not opened.at_least("moderator"):
        raise FormErrors({"moderation": "Only the group's moderators can do that."})
    return opened, actions.moderator_actor(session, opened, account_id)


def _post(session: Session, opened: Opened, post_id: object) -> Post:
    post = session.get(Post, post_id) if db.is_row_id(post_id) else None
    if post is None or post.group_id != opened.group.id:
        raise LookupError("no such post in this group")
    return post


def _comment(session: Session, opened: Opened, comment_id: object) -> Comment:
    comment = session.get(Comment, comment_id) if db.is_row_id(comment_id) else None
    post = session.get(Post, comment.post_id) if comment is not None else None
    if post is None or post.group_id != opened.group.id:
        raise LookupError("no such comment in this group")
    return comment


_POST_FLAGS = {
    "pinned": ("post_pinned", "post_unpinned"),
    "hidden": ("post_hidden", "post_shown"),
    "comments_closed": ("comments_closed", "comments_opened"),
}


def set_post_flag(account_id: int, group_slug: object, post_id: object, flag: object, on: object) -> None:
    """Pin, hide or close comments on a post (on=True), or undo it (on=False)."""
    if flag not in _POST_FLAGS or not isinstance(on, bool):
        raise LookupError("not a moderation action")
    with db.write_session() as session:
        opened, actor = _moderator(session, account_id, group_slug)
        post = _post(session, opened, post_id)
        if flag == "pinned" and on and not post.pinned:
            pinned = session.exec(
                select(func.count()).where(Post.group_id == opened.group.id, col(Post.pinned).is_(True))
            ).one()
            if pinned >= MAX_PINNED:
                raise FormErrors({"moderation": f"A group shows up to {MAX_PINNED} pinned posts. Unpin one first."})
        setattr(post, flag, on)
        session.add(post)
        action = _POST_FLAGS[flag][0 if on else 1]
        audit.record(session, actor, APP_KEY, action, target=f"{opened.group.slug}/post/{post.id}")
        group_id = opened.group.id
    live.publish(live_topic(group_id), {"change": "moderated"})


def set_comment_hidden(account_id: int, group_slug: object, comment_id: object, hidden: object) -> None:
    if not isinstance(hidden, bool):
        raise LookupError("not a moderation action")
    with db.write_session() as session:
        opened, actor = _moderator(session, account_id, group_slug)
        comment = _comment(session, opened, comment_id)
        actions.set_hidden(session, actor, opened.group, session.get(Post, comment.post_id), comment, hidden)
        group_id = opened.group.id
    live.publish(live_topic(group_id), {"change": "moderated"})


# --- reports -------------------------------------------------------------------------------------------------


def report(account_id: int, group_slug: object, post_id: object, *, reason: object, comment_id: object = None) -> bool:
    """A member reports a post (or one of its comments) with a reason; False when they already had an
    open report of it (nothing more is stored)."""
    try:
        text = fields.one_line(
            reason, "reason", max_length=MAX_REASON_LENGTH, missing="Say what is wrong with it.", what="reason"
        )
    except FieldError as error:
        raise FormErrors({"reason": error.message}) from None
    with db.write_session() as session:
        opened = open_group(session, account_id, group_slug)
        if not opened.active:
            raise FormErrors({"reason": "Join the group to report posts."})
        post = _post(session, opened, post_id)
        comment = _comment(session, opened, comment_id) if comment_id is not None else None
        if comment is not None and comment.post_id != post.id:
            raise LookupError("that comment is on another post")
        target = comment.id if comment is not None else None
        already = session.exec(
            select(Report.id).where(
                Report.reporter_id == account_id,
                Report.post_id == post.id,
                Report.comment_id == target if target is not None else Report.comment_id.is_(None),
                Report.status == "open",
            )
        ).first()
        if already is not None:
            return False
        session.add(
            Report(
                group_id=opened.group.id,
                post_id=post.id,
                comment_id=target,
                reporter_id=account_id,
                reason=text,
                created_at=clock.now(),
            )
        )
        return True


@dataclass(frozen=True)
class ReportItem:
    id: int
    post_id: int
    comment_id: int | None
    reason: str
    reporter: str
    created_at: datetime
    # What was reported, as its author wrote it (the page shows it through safe_html).
    excerpt: str


def open_reports(account_id: int, group_slug: object) -> list[ReportItem]:
    """The group's moderation queue: open reports, oldest first (moderators only)."""
    with db.read_session() as session:
        opened, _ = _moderator(session, account_id, group_slug)
        rows = session.exec(
            select(Report, Account.full_name)
            .join(Account, Account.id == Report.reporter_id)
            .where(Report.group_id == opened.group.id, Report.status == "open")
            .order_by(Report.id)
        ).all()
        items = []
        for row, reporter in rows:
            source = session.get(Comment, row.comment_id) if row.comment_id else session.get(Post, row.post_id)
            items.append(
                ReportItem(
                    row.id,
                    row.post_id,
                    row.comment_id,
                    row.reason,
                    reporter,
                    row.created_at,
                    source.body_markdown[:300],
                )
            )
    return items


def close_report(account_id: int, group_slug: object, report_id: object, outcome: object) -> None:
    """A moderator resolves (acted on it) or dismisses a report."""
    if outcome not in ("resolved", "dismissed") or not db.is_row_id(report_id):
        raise LookupError("not a report outcome")
    with db.write_session() as session:
        opened, actor = _moderator(session, account_id, group_slug)
        row = session.get(Report, report_id)
        if row is None or row.group_id != opened.group.id or row.status != "open":
            raise LookupError("no such open report in this group")
        actions.close_report(session, actor, opened.group, row, outcome)
