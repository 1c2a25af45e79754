"""Posts, comments and likes in a group, and its feed.

Every function takes the person and checks, through groups.open_group, that they may read the group
(a private group's posts never reach a non-member, a banned member sees nothing); writing needs an
active membership, and the group's posting rule for posts. Ids from a handler are looked up within
that group, so another group's post id is refused like a missing one. Text is stored as written and
only ever shown through the SDK's safe_html. The feed is read by (created_at, id) keys, never OFFSET.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, literal_column, tuple_, update
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.apps import fields, files
from portal_app.apps.communities import actions, notices
from portal_app.apps.communities.groups import APP_KEY, Opened, live_topic, open_group
from portal_app.apps.communities.models import (
    MAX_ALT_LENGTH,
    MAX_BODY_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_TITLE_LENGTH,
    Channel,
    Comment,
    CommentLike,
    Post,
    PostLike,
)
from portal_app.apps.markdown import safe_html
from portal_app.kernel import clock, db, live
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.timeline import service as activity

PAGE_SIZE = 20
MAX_PINNED = 5
POSTS_PER_MINUTE = 5
COMMENTS_PER_MINUTE = 10
MAX_LINKS = 10
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_CURSOR = re.compile(r"([0-9]{10,12})\.([0-9]{6})-([0-9]{1,19})")


# --- cursors -------------------------------------------------------------------------------------------------


def cursor_of(post: Post) -> str:
    """A feed position after `post`: its created_at (seconds.microseconds) and id, opaque to the page."""
    moment = post.created_at
    return f"{int(moment.timestamp()):d}.{moment.microsecond:06d}-{post.id}"


def _parse_cursor(value: object) -> tuple[datetime, int] | None:
    if value is None or value == "":
        return None
    match = _CURSOR.fullmatch(value) if isinstance(value, str) else None
    if match is None or not db.is_row_id(int(match.group(3))):
        raise LookupError("not a feed position")
    try:
        moment = datetime.fromtimestamp(int(match.group(1)), tz=timezone.utc).replace(microsecond=int(match.group(2)))
    except (ValueError, OverflowError, OSError):
        raise LookupError("not a feed position") from None
    return moment, int(match.group(3))


# --- reading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostItem:
    id: int
    channel: str
    author: str
    author_id: int
    title: str
    # Sanitised (safe_html): the only form the body leaves this module in.
    body_html: str
    created_at: datetime
    edited: bool
    pinned: bool
    like_count: int
    comment_count: int
    liked: bool
    comments_closed: bool
    mine: bool
    hidden: bool = False
    # The post's image, served by routes.py to those who may read the post ("" for none).
    image_url: str = ""
    image_alt: str = ""
    # The text as written, for its author's edit form (never shown as HTML).
    body_markdown: str = ""


def image_path(post_id: int) -> str:
    return f"/api/apps/{APP_KEY}/images/{post_id}"


@dataclass(frozen=True)
class FeedPage:
    group_slug: str
    group_name: str
    channel: str
    # Pinned posts, on the first page only.
    pinned: tuple[PostItem, ...]
    posts: tuple[PostItem, ...]
    # The position to ask for the next page with (None on the last page).
    next_cursor: str | None
    may_post: bool
    moderator: bool = False
    # The group's channels in order, as (slug, name), for the channel tabs and the composer.
    channels: tuple[tuple[str, str], ...] = ()
    description: str = ""
    cover_url: str = ""


def _channel(session: Session, opened: Opened, slug: object) -> Channel | None:
    """The group's channel at `slug` (None for "every channel"); LookupError for another group's or none."""
    if slug is None or slug == "":
        return None
    if not fields.is_slug(slug):
        raise LookupError("not a channel slug")
    channel = session.exec(select(Channel).where(Channel.group_id == opened.group.id, Channel.slug == slug)).first()
    if channel is None:
        raise LookupError("no such channel in this group")
    return channel


def _names(session: Session, account_ids: set[int]) -> dict[int, str]:
    """Authors' names by account id (one read)."""
    if not account_ids:
        return {}
    return dict(session.exec(select(Account.id, Account.full_name).where(col(Account.id).in_(account_ids))).all())


def _items(
    session: Session,
    account_id: int,
    posts: list[Post],
    moderator: bool,
    channel_slugs: Mapping[int, str] | None = None,
) -> tuple[PostItem, ...]:
    """The posts as shown to this person (authors' names, channels, their own likes: one read each; the
    channels' slugs are not read again when the caller has them)."""
    if not posts:
        return ()
    ids = [post.id for post in posts]
    names = _names(session, {p.author_id for p in posts})
    channels = channel_slugs
    if channels is None:
        channels = dict(
            session.exec(
                select(Channel.id, Channel.slug).where(col(Channel.id).in_({p.channel_id for p in posts}))
            ).all()
        )
    liked = set(
        session.exec(select(PostLike.post_id).where(PostLike.account_id == account_id, col(PostLike.post_id).in_(ids)))
    )
    return tuple(
        PostItem(
            id=post.id,
            channel=channels.get(post.channel_id, ""),
            author=names.get(post.author_id, "A former member"),
            author_id=post.author_id,
            title=post.title,
            body_html=safe_html(post.body_markdown),
            created_at=post.created_at,
            edited=post.edited_at is not None,
            pinned=post.pinned,
            like_count=post.like_count,
            comment_count=post.comment_count,
            liked=post.id in liked,
            comments_closed=post.comments_closed,
            mine=post.author_id == account_id,
            hidden=post.hidden,
            image_url=image_path(post.id) if post.image_file else "",
            image_alt=post.image_alt,
            body_markdown=post.body_markdown if post.author_id == account_id else "",
        )
        for post in posts
        if moderator or not post.hidden
    )


# The most posts one read returns: a live refresh of a page that showed more keeps the newest this many.
MAX_PAGE_SIZE = 500


def feed(
    account_id: int,
    group_slug: object,
    channel_slug: object = None,
    after: object = None,
    size: object = PAGE_SIZE,
    through: object = None,
) -> FeedPage:
    """One page of a group's feed (a channel's, or every channel's), newest first, pinned posts above on
    the first page: `size` posts, or (`through`, a position from an earlier page) every post from the
    newest down to that one, as a live refresh does so nobody loses their place; at most 500.
    LookupError when the person may not read the group or the channel is not its own."""
    size = size if isinstance(size, int) and not isinstance(size, bool) and 0 < size else PAGE_SIZE
    down_to = _parse_cursor(through)
    if down_to is not None:
        size = MAX_PAGE_SIZE
    size = min(size, MAX_PAGE_SIZE)
    with db.read_session() as session:
        opened = open_group(session, account_id, group_slug)
        channel = _channel(session, opened, channel_slug)
        position = _parse_cursor(after)
        moderator = opened.at_least("moderator")
        scope = [Post.group_id == opened.group.id]
        if channel is not None:
            scope.append(Post.channel_id == channel.id)
        if not moderator:
            scope.append(col(Post.hidden).is_(False))
        pinned: list[Post] = []
        if position is None:
            pinned = list(
                session.exec(
                    select(Post)
                    .where(*scope, col(Post.pinned).is_(True))
                    .order_by(col(Post.created_at).desc())
                    .limit(MAX_PINNED)
                )
            )
        statement = select(Post).where(*scope, col(Post.pinned).is_(False))
        if position is not None:
            statement = statement.where(tuple_(Post.created_at, Post.id) < tuple_(*position))
        if down_to is not None:
            statement = statement.where(tuple_(Post.created_at, Post.id) >= tuple_(*down_to))
        rows = list(session.exec(statement.order_by(col(Post.created_at).desc(), col(Post.id).desc()).limit(size + 1)))
        page = rows[:size]
        channels = session.exec(
            select(Channel.id, Channel.slug, Channel.name)
            .where(Channel.group_id == opened.group.id)
            .order_by(Channel.position, Channel.id)
        ).all()
        # The pinned posts and the page in one set of reads (names, likes); every post's channel is the group's.
        shown = _items(session, account_id, pinned + page, moderator, {id_: slug for id_, slug, _ in channels})
        result = FeedPage(
            group_slug=opened.group.slug,
            group_name=opened.group.name,
            channel=channel.slug if channel else "",
            pinned=tuple(item for item in shown if item.pinned),
            posts=tuple(item for item in shown if not item.pinned),
            next_cursor=cursor_of(page[-1]) if len(rows) > size or (down_to is not None and page) else None,
            may_post=opened.may_post,
            moderator=moderator,
            channels=tuple((slug, name) for _, slug, name in channels),
            description=opened.group.description,
            cover_url=(
                f"/api/apps/{APP_KEY}/covers/{opened.group.slug}?v={opened.group.cover_file[:8]}"
                if opened.group.cover_file
                else ""
            ),
        )
    return result


@dataclass(frozen=True)
class CommentItem:
    id: int
    author: str
    body_html: str
    created_at: datetime
    edited: bool
    like_count: int
    liked: bool
    mine: bool
    hidden: bool
    replies: tuple[CommentItem, ...] = ()
    # The text as written, for its author's edit form (never shown as HTML).
    body_markdown: str = ""


@dataclass(frozen=True)
class PostView:
    group_slug: str
    group_name: str
    post: PostItem
    comments: tuple[CommentItem, ...]
    may_comment: bool
    moderator: bool


def _post_in(session: Session, opened: Opened, post_id: object) -> Post:
    if not db.is_row_id(post_id):
        raise LookupError("not a post id")
    post = session.get(Post, post_id)
    if post is None or post.group_id != opened.group.id:
        raise LookupError("no such post in this group")
    # A hidden post is the moderators' (and its author's) to see.
    author = opened.membership is not None and post.author_id == opened.membership.account_id
    if post.hidden and not opened.at_least("moderator") and not author:
        raise LookupError("a hidden post")
    return post


def post_view(account_id: int, group_slug: object, post_id: object) -> PostView:
    """A post with its comments (replies under the comment they answer), for someone who may read it."""
    with db.read_session() as session:
        opened = open_group(session, account_id, group_slug)
        post = _post_in(session, opened, post_id)
        moderator = opened.at_least("moderator")
        [item] = _items(session, account_id, [post], True)
        rows = list(
            session.exec(select(Comment).where(Comment.post_id == post.id).order_by(Comment.created_at, Comment.id))
        )
        names = _names(session, {c.author_id for c in rows})
        liked = (
            set(
                session.exec(
                    select(CommentLike.comment_id).where(
                        CommentLike.account_id == account_id, col(CommentLike.comment_id).in_([c.id for c in rows])
                    )
                )
            )
            if rows
            else set()
        )

    def item_of(comment: Comment, replies=()) -> CommentItem:
        return CommentItem(
            id=comment.id,
            author=names.get(comment.author_id, "A former member"),
            body_html=safe_html(comment.body_markdown) if not comment.hidden or moderator else "",
            created_at=comment.created_at,
            edited=comment.edited_at is not None,
            like_count=comment.like_count,
            liked=comment.id in liked,
            mine=comment.author_id == account_id,
            hidden=comment.hidden,
            replies=tuple(replies),
            body_markdown=comment.body_markdown if comment.author_id == account_id else "",
        )

    visible = [c for c in rows if moderator or not c.hidden]
    replies: dict[int, list[CommentItem]] = {}
    for comment in visible:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(item_of(comment))
    comments = tuple(item_of(c, replies.get(c.id, ())) for c in visible if c.parent_id is None)
    return PostView(
        group_slug=opened.group.slug,
        group_name=opened.group.name,
        post=item,
        comments=comments,
        may_comment=opened.active and not post.comments_closed and not opened.group.archived,
        moderator=moderator,
    )


# --- writing -------------------------------------------------------------------------------------------------


def _clean_title(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return fields.one_line(
        value, "title", max_length=MAX_TITLE_LENGTH, missing="Write the title as text.", what="title"
    )


def _clean_body(value: object, *, max_length: int, what: str) -> str:
    text = fields.written(
        value, "body", max_length=max_length, what=what, required=True, missing=f"Write your {what} first."
    )
    if len(_LINK.findall(text)) > MAX_LINKS:
        raise FieldError("body", f"A {what} may hold up to {MAX_LINKS} links.")
    return text


def _too_soon(session: Session, model, account_id: int, now: datetime, limit: int) -> bool:
    recent = session.exec(
        select(func.count()).where(model.author_id == account_id, model.created_at > now - timedelta(minutes=1))
    ).one()
    return recent >= limit


def create_post(
    account_id: int,
    group_slug: object,
    channel_slug: object,
    *,
    title: object,
    body: object,
    image: str = "",
    image_alt: object = "",
) -> int:
    """A new post in a channel of the group; its id. `image` names a file the caller stored with
    files.store (the post takes it over). FormErrors for bad input, the posting rule or the limit of
    POSTS_PER_MINUTE; LookupError when the group or channel is not open to the person."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, check in (
        ("title", lambda: _clean_title(title)),
        ("body", lambda: _clean_body(body, max_length=MAX_BODY_LENGTH, what="post")),
        ("image_alt", lambda: _clean_alt(image_alt)),
    ):
        try:
            values[field] = check()
        except FieldError as error:
            errors[field] = error.message
    if errors:
        raise FormErrors(errors)
    with db.write_session() as session:
        _lock_author(session, account_id)
        opened = open_group(session, account_id, group_slug)
        channel = _channel(session, opened, channel_slug or "general")
        if not opened.may_post:
            raise FormErrors({"body": _why_not_post(opened)})
        now = clock.now()
        if _too_soon(session, Post, account_id, now, POSTS_PER_MINUTE):
            raise FormErrors({"body": f"You can post {POSTS_PER_MINUTE} times a minute. Wait a moment and post again."})
        post = Post(
            group_id=opened.group.id,
            channel_id=channel.id,
            author_id=account_id,
            title=values["title"],
            body_markdown=values["body"],
            image_file=image if image and files.path_of(APP_KEY, image) is not None else "",
            image_alt=values["image_alt"] if image else "",
            created_at=now,
        )
        session.add(post)
        session.flush()
        noticed = notices.leave_notices(session, post=post, actor_id=account_id, text=values["body"])
        activity.record(
            session,
            account_id=account_id,
            app_key=APP_KEY,
            kind="post_published",
            summary=f"{values['title'] or values['body'][:60]} ({opened.group.name})",
            at=now,
        )
        post_id, group_id = post.id, opened.group.id
    live.publish(live_topic(group_id), {"change": "post"})
    notices.send_for_post(post_id, noticed)
    return post_id


def _clean_alt(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return fields.one_line(
        value, "image_alt", max_length=MAX_ALT_LENGTH, missing="Describe the image in words.", what="description"
    )


def _why_not_post(opened: Opened) -> str:
    if not opened.active:
        return "Join the group to post."
    if opened.group.archived:
        return "This group is archived: it takes no new posts."
    return "Only the group's admins post here."


def _lock_author(session: Session, account_id: int) -> None:
    """One person's posts and comments take turns (the per-minute limits hold under parallel requests)."""
    session.exec(select(Account.id).where(Account.id == account_id).with_for_update()).first()


def edit_post(account_id: int, group_slug: object, post_id: object, *, title: object, body: object) -> None:
    """The author edits their post (marked edited). FormErrors for bad input; LookupError otherwise."""
    values = {}
    errors = {}
    for field, check in (
        ("title", lambda: _clean_title(title)),
        ("body", lambda: _clean_body(body, max_length=MAX_BODY_LENGTH, what="post")),
    ):
        try:
            values[field] = check()
        except FieldError as error:
            errors[field] = error.message
    if errors:
        raise FormErrors(errors)
    with db.write_session() as session:
        opened = open_group(session, account_id, group_slug)
        post = _post_in(session, opened, post_id)
        if post.author_id != account_id or not opened.active:
            raise LookupError("not this person's post")
        post.title, post.body_markdown, post.edited_at = values["title"], values["body"], clock.now()
        session.add(post)
        group_id = opened.group.id
    live.publish(live_topic(group_id), {"change": "edited"})


def delete_post(account_id: int, group_slug: object, post_id: object) -> None:
    """The author, or a moderator (audited), deletes a post with its comments, likes and image."""
    with db.write_session() as session:
        opened = open_group(session, account_id, group_slug)
        post = _post_in(session, opened, post_id)
        author = post.author_id == account_id and opened.active
        if not author and not opened.at_least("moderator"):
            raise LookupError("not this person's post")
        actor = None if author else actions.moderator_actor(session, opened, account_id)
        removed = actions.delete_content(session, actor, opened.group, post, None)
        group_id = opened.group.id
    live.publish(live_topic(group_id), {"change": "deleted"})
    for name in removed:
        files.remove(APP_KEY, name)


def add_comment(account_id: int, group_slug: object, post_id: object, *, body: object, parent_id: object = None) -> int:
    """A comment on a post, or a reply to one of its comments (one level); its id."""
    try:
        text = _clean_body(body, max_length=MAX_COMMENT_LENGTH, what="comment")
    except FieldError as error:
        raise FormErrors({"body": error.message}) from None
    with db.write_session() as session:
        _lock_author(session, account_id)
        opened = open_group(session, account_id, group_slug)
        post = _post_in(session, opened, post_id)
        if not opened.active or opened.group.archived:
            raise FormErrors({"body": "Join the group to comment."})
        if post.comments_closed:
            raise FormErrors({"body": "Comments are closed on this post."})
        parent = answered = None
        if parent_id is not None:
            parent = answered = session.get(Comment, parent_id) if db.is_row_id(parent_id) else None
            if parent is None or parent.post_id != post.id:
                raise LookupError("no such comment on this post")
            if parent.parent_id is not None:
                # One level of replies: an answer to a reply goes under the same comment, and its
                # author (the one answered) hears of it.
                parent = session.get(Comment, parent.parent_id)
        now = clock.now()
        if _too_soon(session, Comment, account_id, now, COMMENTS_PER_MINUTE):
            raise FormErrors({"body": f"You can comment {COMMENTS_PER_MINUTE} times a minute. Wait a moment."})
        comment = Comment(
            post_id=post.id,
            parent_id=parent.id if parent else None,
            author_id=account_id,
            body_markdown=text,
            created_at=now,
        )
        session.add(comment)
        session.exec(update(Post).where(Post.id == post.id).values(comment_count=Post.comment_count + 1))
        session.flush()
        noticed = notices.leave_notices(
            session,
            post=post,
            actor_id=account_id,
            text=text,
            comment=comment,
            reply_to=(post.author_id, *((answered.author_id,) if answered is not None else ())),
        )
        activity.record(
            session,
            account_id=account_id,
            app_key=APP_KEY,
            kind="comment_added",
            summary=f"On {post.title or 'a post'} ({opened.group.name})",
            at=now,
        )
        comment_id, group_id, thread_id = comment.id, opened.group.id, post.id
    live.publish(live_topic(group_id), {"change": "comment"})
    notices.send_for_post(thread_id, noticed)
    return comment_id


def toggle_post_like(account_id: int, group_slug: object, post_id: object) -> tuple[bool, int]:
    """Like a post, or take the like back; (liked now, the post's like count). Members only."""
    with db.write_session() as session:
        _lock_author(session, account_id)
        opened = open_group(session, account_id, group_slug)
        post = _post_in(session, opened, post_id)
        if not opened.active:
            raise FormErrors({"like": "Join the group to like posts."})
        existing = session.exec(
            select(PostLike).where(PostLike.post_id == post.id, PostLike.account_id == account_id)
        ).first()
        if existing is not None:
            session.delete(existing)
            delta = -1
        else:
            inserted = db.insert_if_absent(
                session,
                PostLike,
                key={"post_id": post.id, "account_id": account_id},
                values={"created_at": clock.now()},
            )
            delta = 1 if inserted else 0
        session.exec(update(Post).where(Post.id == post.id).values(like_count=Post.like_count + delta))
        session.flush()
        count = session.exec(select(Post.like_count).where(Post.id == post.id)).one()
        liked, group_id = existing is None, opened.group.id
    live.publish(live_topic(group_id), {"change": "like"})
    return liked, count


MAX_QUERY_LENGTH = 100
SEARCH_LIMIT = 30
# On PostgreSQL: the text search matches, spelled exactly as the GIN index of migration 603152eb0837
# so the planner uses it ('simple': no stemming, every language alike).
_SEARCH_DOCUMENT = literal_column(
    "to_tsvector('simple', coalesce(post.title, '') || ' ' || coalesce(post.body_markdown, ''))"
)


_WORD = re.compile(r"[^\W_]+")


def _words(query: object) -> list[str]:
    """The words of a search: letters and digits (any script), lowercased, at most 8; every other character separates."""
    return _WORD.findall(query[:MAX_QUERY_LENGTH].lower())[:8] if isinstance(query, str) else []


def _matching(statement, dialect: str, words: list[str]):
    """Posts holding every word at the start of one of theirs (PostgreSQL full text, prefix match), or
    anywhere in one of theirs (SQLite: a case-insensitive LIKE per word)."""
    if dialect == "postgresql":
        # Words are letters and digits only, so they need no quoting inside the tsquery.
        query = " & ".join(f"'{word}':*" for word in words)
        return statement.where(_SEARCH_DOCUMENT.op("@@")(func.to_tsquery("simple", query)))
    for word in words:
        pattern = f"%{word}%"
        statement = statement.where(func.lower(Post.title).like(pattern) | func.lower(Post.body_markdown).like(pattern))
    return statement


def search(account_id: int, group_slug: object, query: object) -> tuple[PostItem, ...]:
    """Posts of a group holding every word of `query` in their title or text (newest first, at most 30),
    for someone who may read the group: full text on PostgreSQL (its GIN index), LIKE on SQLite."""
    words = _words(query)
    with db.read_session() as session:
        opened = open_group(session, account_id, group_slug)
        if not words:
            return ()
        moderator = opened.at_least("moderator")
        statement = select(Post).where(Post.group_id == opened.group.id)
        if not moderator:
            statement = statement.where(col(Post.hidden).is_(False))
        dialect = session.get_bind().dialect.name
        statement = _matching(statement, dialect, words)
        if dialect == "postgresql":
            # Find the matches through the GIN index first (OFFSET 0 keeps the planner from walking the
            # feed index newest-first and testing every post, which a rare word makes slow), then sort.
            found = statement.with_only_columns(Post.id, Post.created_at).offset(0).subquery()
            statement = select(Post).join(found, found.c.id == Post.id)
            newest = (found.c.created_at.desc(), found.c.id.desc())
        else:
            newest = (col(Post.created_at).desc(), col(Post.id).desc())
        rows = list(session.exec(statement.order_by(*newest).limit(SEARCH_LIMIT)))
        return _items(session, account_id, rows, moderator)


def delete_comment(account_id: int, group_slug: object, comment_id: object) -> None:
    """The author, or a moderator (audited), deletes a comment with its replies; the post's count follows."""
    with db.write_session() as session:
        opened = open_group(session, account_id, group_slug)
        comment, post = _comment_in(session, opened, comment_id)
        author = comment.author_id == account_id and opened.active
        if not author and not opened.at_least("moderator"):
            raise LookupError("not this person's comment")
        actor = None if author else actions.moderator_actor(session, opened, account_id)
        actions.delete_content(session, actor, opened.group, post, comment)
        group_id = opened.group.id
    live.publish(live_topic(group_id), {"change": "comment"})


def _comment_in(session: Session, opened: Opened, comment_id: object) -> tuple[Comment, Post]:
    """A comment of a post of this group, with its post; LookupError for any other id."""
    comment = session.get(Comment, comment_id) if db.is_row_id(comment_id) else None
    post = session.get(Post, comment.post_id) if comment is not None else None
    if post is None or post.group_id != opened.group.id:
        raise LookupError("no such comment in this group")
    if (
        post.hidden
        and not opened.at_least("moderator")
        and post.author_id != (opened.membership.account_id if opened.membership else None)
    ):
        raise LookupError("a hidden post")
    return comment, post


def edit_comment(account_id: int, group_slug: object, comment_id: object, *, body: object) -> None:
    """The author edits their comment (marked edited). FormErrors for bad input; LookupError otherwise."""
    try:
        text = _clean_body(body, max_length=MAX_COMMENT_LENGTH, what="comment")
    except FieldError as error:
        raise FormErrors({"body": error.message}) from None
    with db.write_session() as session:
        opened = open_group(session, account_id, group_slug)
        comment, _post = _comment_in(session, opened, comment_id)
        if comment.author_id != account_id or not opened.active:
            raise LookupError("not this person's comment")
        comment.body_markdown, comment.edited_at = text, clock.now()
        session.add(comment)
        group_id = opened.group.id
    live.publish(live_topic(group_id), {"change": "edited"})


def toggle_comment_like(account_id: int, group_slug: object, comment_id: object) -> tuple[bool, int]:
    """Like a comment, or take the like back; (liked now, the comment's like count). Members only."""
    with db.write_session() as session:
        _lock_author(session, account_id)
        opened = open_group(session, account_id, group_slug)
        comment, _post = _comment_in(session, opened, comment_id)
        if comment.hidden and not opened.at_least("moderator"):
            raise LookupError("a hidden comment")
        if not opened.active:
            raise FormErrors({"like": "Join the group to like comments."})
        existing = session.exec(
            select(CommentLike).where(CommentLike.comment_id == comment.id, CommentLike.account_id == account_id)
        ).first()
        if existing is not None:
            session.delete(existing)
            delta = -1
        else:
            inserted = db.insert_if_absent(
                session,
                CommentLike,
                key={"comment_id": comment.id, "account_id": account_id},
                values={"created_at": clock.now()},
            )
            delta = 1 if inserted else 0
        session.exec(update(Comment).where(Comment.id == comment.id).values(like_count=Comment.like_count + delta))
        session.flush()
        count = session.exec(select(Comment.like_count).where(Comment.id == comment.id)).one()
        liked, group_id = existing is None, opened.group.id
    live.publish(live_topic(group_id), {"change": "like"})
    return liked, count
