"""Emails about a thread: someone replied to my post or comment, or mentioned me (`@Full Name`, or
`@First` when one member of the group has that first name).

Each reply or mention leaves a ThreadNotice for the person, in the transaction of the post or comment.
Right after it commits, send_for_post() emails everyone with notices on that thread whose last email
about it is an hour old or more (or who never had one); the rest wait, and the periodic task
send_waiting() sends each their batch once their hour is up: at most one email per person and thread
per hour. An email goes only to someone who may still read the group (a private group's text never
reaches a non-member; a banned member hears nothing), through notify(), so the person's choice for
this app's emails holds.

Two workers never send the same batch: the right to send is taken by one conditional write on the
person's ThreadEmail row (insert when absent, or move sent_at forward only if it is an hour old).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.apps import access
from portal_app.apps.communities.groups import APP_KEY, open_group
from portal_app.apps.communities.models import Comment, CommunityGroup, GroupMember, Post, ThreadEmail, ThreadNotice
from portal_app.apps.notify import notify
from portal_app.kernel import clock, db

EMAIL_GAP = timedelta(hours=1)
MAX_MENTIONS = 10
MAX_LISTED = 10
EXCERPT_LENGTH = 160
# "@" then up to four words of a name (letters, digits, ' . -), not inside an email address.
_MENTION = re.compile(r"(?<![\w.])@([^\W_][\w'.-]*(?: [^\W_][\w'.-]*){0,3})")


# --- what a post or comment leaves for people --------------------------------------------------------------


def mentioned(session: Session, group_id: int, text: str) -> set[int]:
    """Active members of the group named after an "@" in `text`: the longest full name that follows it, or
    a first name that exactly one member has. At most MAX_MENTIONS people."""
    spans = [match.group(1).lower() for match in _MENTION.finditer(text)][: MAX_MENTIONS * 2]
    if not spans:
        return set()
    firsts = {span.split(" ", 1)[0] for span in spans}
    names = session.exec(
        select(Account.id, Account.full_name)
        .join(GroupMember, GroupMember.account_id == Account.id)
        .where(GroupMember.group_id == group_id, GroupMember.status == "active")
        .where(_starts_with_any(firsts))
    ).all()
    by_name = {}
    by_first: dict[str, list[int]] = {}
    for account_id, full_name in names:
        name = " ".join(full_name.lower().split())
        by_name.setdefault(name, account_id)
        by_first.setdefault(name.split(" ", 1)[0], []).append(account_id)
    found: set[int] = set()
    for span in spans:
        words = span.split(" ")
        for size in range(len(words), 0, -1):
            candidate = " ".join(words[:size]).rstrip(".'-")
            if candidate in by_name:
                found.add(by_name[candidate])
                break
        else:
            first = words[0].rstrip(".'-")
            if len(by_first.get(first, ())) == 1:
                found.add(by_first[first][0])
        if len(found) >= MAX_MENTIONS:
            break
    return found


def _starts_with_any(firsts: set[str]):
    """Names whose first word is one of `firsts` (lowercase): the name equals it or starts with it and a space."""
    lowered = func.lower(Account.full_name)
    clauses = [(lowered == first) | lowered.like(_like_prefix(first) + " %", escape="\\") for first in sorted(firsts)]
    condition = clauses[0]
    for clause in clauses[1:]:
        condition = condition | clause
    return condition


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def leave_notices(
    session: Session,
    *,
    post: Post,
    actor_id: int,
    text: str,
    comment: Comment | None = None,
    reply_to: Iterable[int] = (),
) -> set[int]:
    """Notices for the people this post or comment replies to (`reply_to`: the post's author, the comment's
    it answers) and mentions, never for its author. The people noticed."""
    now = clock.now()
    kinds: dict[int, str] = {person: "mention" for person in mentioned(session, post.group_id, text)}
    for person in reply_to:
        kinds[person] = "reply"
    kinds.pop(actor_id, None)
    for person, kind in kinds.items():
        session.add(
            ThreadNotice(
                account_id=person,
                post_id=post.id,
                comment_id=comment.id if comment is not None else None,
                actor_id=actor_id,
                kind=kind,
                created_at=now,
            )
        )
    return set(kinds)


# --- sending -----------------------------------------------------------------------------------------------


def _claim(session: Session, account_id: int, post_id: int) -> bool:
    """Take the right to email this person about this thread now: True at most once an hour, across workers."""
    now = clock.now()
    if db.insert_if_absent(
        session, ThreadEmail, key={"account_id": account_id, "post_id": post_id}, values={"sent_at": now}
    ):
        return True
    moved = session.execute(
        update(ThreadEmail)
        .where(
            ThreadEmail.account_id == account_id,
            ThreadEmail.post_id == post_id,
            ThreadEmail.sent_at <= now - EMAIL_GAP,
        )
        .values(sent_at=now)
        .returning(ThreadEmail.id)
    ).first()
    return moved is not None


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[: EXCERPT_LENGTH - 1].rstrip() + "…"


def _send(session: Session, account_id: int, post_id: int) -> bool:
    """Email the person their waiting notices about one thread, if their hour is up; the notices are
    spent either way once claimed. True when an email was queued."""
    if not _claim(session, account_id, post_id):
        return False
    notices = session.exec(
        select(ThreadNotice)
        .where(ThreadNotice.account_id == account_id, ThreadNotice.post_id == post_id)
        .order_by(ThreadNotice.created_at, ThreadNotice.id)
    ).all()
    session.execute(
        delete(ThreadNotice).where(
            col(ThreadNotice.id).in_([notice.id for notice in notices]),
        )
    )
    post = session.get(Post, post_id)
    if not notices or post is None:
        return False
    group = session.get(CommunityGroup, post.group_id)
    try:
        open_group(session, account_id, group.slug)
    except LookupError:
        return False
    if post.hidden or not _has_the_app(account_id):
        return False
    comments = {
        comment.id: comment
        for comment in session.exec(
            select(Comment).where(col(Comment.id).in_([n.comment_id for n in notices if n.comment_id]))
        )
    }
    names = dict(
        session.exec(
            select(Account.id, Account.full_name).where(col(Account.id).in_({n.actor_id for n in notices}))
        ).all()
    )
    items = []
    for notice in notices:
        comment = comments.get(notice.comment_id) if notice.comment_id else None
        if notice.comment_id and (comment is None or comment.hidden):
            continue  # deleted or hidden since: nothing to tell
        text = comment.body_markdown if comment is not None else post.body_markdown
        items.append(
            {
                "who": names.get(notice.actor_id, "A member"),
                "what": "mentioned you" if notice.kind == "mention" else "replied",
                "excerpt": _excerpt(text),
            }
        )
    if not items:
        return False
    title = post.title or _excerpt(post.body_markdown)[:60]
    return notify(
        session,
        account_id,
        APP_KEY,
        "thread_activity",
        {
            "count": len(items),
            "items": items[:MAX_LISTED],
            "more": max(0, len(items) - MAX_LISTED),
            "thread_title": title,
            "group_name": group.name,
            "path": f"/apps/communities/{group.slug}/post/{post.id}",
        },
    ).sent


def _has_the_app(account_id: int) -> bool:
    """The app is on and theirs (a profile left incomplete only sends them to the profile page first)."""
    decision = access.decide(account_id, APP_KEY)
    return decision.allowed or decision.reason == access.PROFILE_INCOMPLETE


def send_for_post(post_id: int, account_ids: Iterable[int]) -> int:
    """After a post or comment commits: email the people it noticed whose hour is up. The number of emails."""
    sent = 0
    for account_id in sorted(set(account_ids)):
        with db.write_session() as session:
            sent += _send(session, account_id, post_id)
    return sent


def send_waiting() -> int:
    """The periodic task: every person and thread with notices whose hour is up gets their batch."""
    cutoff = clock.now() - EMAIL_GAP
    with db.read_session() as session:
        due = session.exec(
            select(ThreadNotice.account_id, ThreadNotice.post_id)
            .outerjoin(
                ThreadEmail,
                (ThreadEmail.account_id == ThreadNotice.account_id) & (ThreadEmail.post_id == ThreadNotice.post_id),
            )
            .where(col(ThreadEmail.id).is_(None) | (ThreadEmail.sent_at <= cutoff))
            .group_by(ThreadNotice.account_id, ThreadNotice.post_id)
        ).all()
    sent = 0
    for account_id, post_id in due:
        with db.write_session() as session:
            sent += _send(session, account_id, post_id)
    return sent
