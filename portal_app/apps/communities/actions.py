"""What any moderator does to a post, a comment or a report, once it is known who acts and that they may:
a group's moderator (moderation.py, or deleting from posts.py), or staff (the admin queue, owner_reports.py).
One function each, audited with the same action names whoever acted, so the audit log reads alike.
"""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, select

from portal_app.accounts.models import Account
from portal_app.apps import audit
from portal_app.apps.communities.groups import APP_KEY, Opened
from portal_app.apps.communities.models import Comment, CommunityGroup, Post, Report
from portal_app.kernel import clock


def moderator_actor(session: Session, opened: Opened, account_id: int) -> audit.Actor:
    """The audit log's name for a member acting as a moderator: their email and role ("moderator of
    bakers", or "admin of every group" when the role comes from their grant of the app)."""
    email = session.exec(select(Account.email).where(Account.id == account_id)).one()
    where = opened.group.slug if opened.active and opened.membership.role == opened.role else "every group"
    return audit.member_actor(account_id, email, f"{opened.role} of {where}")


def set_hidden(
    session: Session, actor: audit.Actor, group: CommunityGroup, post: Post, comment: Comment | None, hidden: bool
) -> bool:
    """Hide a post or a comment from members (moderators still see it), or show it again; False when it
    already was so (nothing recorded)."""
    target = comment if comment is not None else post
    if target.hidden == hidden:
        return False
    target.hidden = hidden
    session.add(target)
    kind = "comment" if comment is not None else "post"
    action = f"{kind}_hidden" if hidden else f"{kind}_shown"
    audit.record(session, actor, APP_KEY, action, target=f"{group.slug}/{kind}/{target.id}")
    return True


def close_report(session: Session, actor: audit.Actor, group: CommunityGroup, report: Report, outcome: str) -> None:
    """Mark an open report resolved (acted on) or dismissed (nothing wrong)."""
    report.status, report.resolved_at = outcome, clock.now()
    session.add(report)
    audit.record(session, actor, APP_KEY, f"report_{outcome}", target=f"{group.slug}/report/{report.id}")


def delete_content(
    session: Session,
    actor: audit.Actor | None,
    group: CommunityGroup,
    post: Post,
    comment: Comment | None,
    detail: dict | None = None,
) -> list[str]:
    """Delete a post (with its comments, likes and reports) or a comment (with its replies; the post's count
    follows), audited when a moderator does it (`actor`; None for the author deleting their own). The
    stored files to remove once the transaction has committed."""
    if comment is not None:
        replies = session.exec(select(func.count()).where(Comment.parent_id == comment.id)).one()
        session.delete(comment)
        session.exec(update(Post).where(Post.id == post.id).values(comment_count=Post.comment_count - 1 - replies))
        if actor is not None:
            audit.record(
                session, actor, APP_KEY, "comment_deleted", target=f"{group.slug}/comment/{comment.id}", detail=detail
            )
        return []
    session.delete(post)
    if actor is not None:
        audit.record(session, actor, APP_KEY, "post_deleted", target=f"{group.slug}/post/{post.id}", detail=detail)
    return [post.image_file] if post.image_file else []
