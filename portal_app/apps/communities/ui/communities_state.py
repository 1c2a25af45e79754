"""The state of Communities' pages: My groups, a group's feed, a post. Thin, like every app state.

Every handler gates first (`_gate`), reads the group (and post) from the tab's URL, and asks the
services, which decide what this person may read or write. Post and comment bodies reach the page
only as the SDK's safe_html output.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.apps import files as filenames
from portal_app.apps.communities import groups, images, moderation, posts
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.markdown import safe_html
from portal_app.kernel import db, live
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.shell.ui import live as live_reflex
from portal_app.shell.ui.app_guard import AppAccessState
from portal_app.shell.ui.formatting import date_time

ROUTE = "/apps/communities"
POST_FIELDS = ("title", "body")


@dataclasses.dataclass
class GroupRow:
    slug: str = ""
    name: str = ""
    description: str = ""
    private: bool = False
    pending: bool = False
    new_posts: int = 0
    href: str = ""


@dataclasses.dataclass
class PostRow:
    id: int = 0
    author: str = ""
    title: str = ""
    body_html: str = ""
    when: str = ""
    edited: bool = False
    pinned: bool = False
    likes: int = 0
    liked: bool = False
    comments: int = 0
    href: str = ""
    mine: bool = False
    hidden: bool = False
    comments_closed: bool = False
    image_url: str = ""
    image_alt: str = ""
    # The text as written: for its author's edit form only (empty on other people's posts).
    body_markdown: str = ""


@dataclasses.dataclass
class ChannelRow:
    slug: str = ""
    name: str = ""
    href: str = ""


@dataclasses.dataclass
class MemberRow:
    account_id: int = 0
    name: str = ""
    role: str = ""
    status: str = ""


@dataclasses.dataclass
class ReportRow:
    id: int = 0
    reason: str = ""
    reporter: str = ""
    when: str = ""
    what: str = ""
    excerpt_html: str = ""
    href: str = ""


@dataclasses.dataclass
class CommentRow:
    id: int = 0
    author: str = ""
    body_html: str = ""
    when: str = ""
    likes: int = 0
    liked: bool = False
    edited: bool = False
    hidden: bool = False
    mine: bool = False
    replies: list[CommentRow] = dataclasses.field(default_factory=list)
    # The text as written: for its author's edit form only.
    body_markdown: str = ""


def _form_id(raw: object) -> int:
    """A row id from a form's hidden field; -1 (never a row id: the service refuses it) for anything else."""
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19 else -1


def _topic_of(account_id: int, group_slug: str) -> str | None:
    """The live topic of a group the person may read, or None."""
    with db.read_session() as session:
        try:
            return groups.live_topic(groups.open_group(session, account_id, group_slug).group.id)
        except LookupError:
            return None


def _post_row(group_slug: str, item: posts.PostItem) -> PostRow:
    return PostRow(
        id=item.id,
        author=item.author,
        title=item.title,
        body_html=item.body_html,
        when=date_time(item.created_at),
        edited=item.edited,
        pinned=item.pinned,
        likes=item.like_count,
        liked=item.liked,
        comments=item.comment_count,
        href=f"{ROUTE}/{group_slug}/post/{item.id}",
        mine=item.mine,
        hidden=item.hidden,
        comments_closed=item.comments_closed,
        image_url=item.image_url,
        image_alt=item.image_alt,
        body_markdown=item.body_markdown,
    )


def _comment_row(item: posts.CommentItem) -> CommentRow:
    return CommentRow(
        id=item.id,
        author=item.author,
        body_html=item.body_html,
        when=date_time(item.created_at),
        likes=item.like_count,
        liked=item.liked,
        edited=item.edited,
        hidden=item.hidden,
        mine=item.mine,
        replies=[_comment_row(reply) for reply in item.replies],
        body_markdown=item.body_markdown,
    )


class CommunitiesState(AppAccessState):
    # /apps/communities
    my_groups: list[GroupRow] = []
    other_groups: list[GroupRow] = []
    groups_loaded: bool = False
    join_notice: str = ""
    # /apps/communities/[group]
    group_slug: str = ""
    group_name: str = ""
    group_missing: bool = False
    group_description: str = ""
    cover_url: str = ""
    may_post: bool = False
    # The group's channels; the one this page shows ("" for every channel).
    channels: list[ChannelRow] = []
    channel_slug: str = ""
    # The composer's image: what the person sees ("loaf.png, 120 KB"), and the stored file, kept on the
    # server only (a client can neither read nor set a backend var).
    draft_image: str = ""
    _draft_image_file: str = ""
    image_error: str = ""
    # The post or comment whose edit form is open (0 for none), the comment being answered.
    editing_post: int = 0
    edit_errors: dict[str, str] = dict.fromkeys(POST_FIELDS, "")
    editing_comment: int = 0
    replying_to: int = 0
    # Moderators (and admins and owners) see the moderation tools and hidden posts.
    is_moderator: bool = False
    report_notice: str = ""
    # Search within the group: the words asked for and what they found.
    search_query: str = ""
    search_results: list[PostRow] = []
    # The moderation queue (/apps/communities/[group]/moderation).
    reports: list[ReportRow] = []
    queue_loaded: bool = False
    # The member list (/apps/communities/[group]/members).
    group_members: list[MemberRow] = []
    members_loaded: bool = False
    pinned: list[PostRow] = []
    feed: list[PostRow] = []
    # Where "Show older posts" continues (the service's feed position).
    older_page: str = ""
    post_errors: dict[str, str] = dict.fromkeys(POST_FIELDS, "")
    composer_version: int = 0
    # /apps/communities/[group]/post/[post]
    post: PostRow = PostRow()
    comments: list[CommentRow] = []
    may_comment: bool = False
    comment_error: str = ""
    post_missing: bool = False
    notice: str = ""
    # What the group's live topic had seen before this page's load read it (the follower's catch-up check).
    _live_seen: list[int] = []
    _live_seen_topic: str = ""
    # The group (route slug) that topic belongs to, read by the page's load under its access check.
    _live_seen_group: str = ""

    def _forget_app_data(self) -> None:
        super()._forget_app_data()
        self.my_groups, self.other_groups, self.groups_loaded, self.join_notice = [], [], False, ""
        self._forget_group()
        self._forget_post()

    def _forget_group(self) -> None:
        self.group_slug = self.group_name = self.older_page = self.notice = ""
        self.group_description = self.cover_url = self.channel_slug = ""
        self.channels = []
        self.editing_post = 0
        self.edit_errors = dict.fromkeys(POST_FIELDS, "")
        self._forget_draft_image()
        self.group_missing = self.may_post = self.is_moderator = False
        self.report_notice = self.search_query = ""
        self.search_results, self.reports, self.queue_loaded = [], [], False
        self.group_members, self.members_loaded = [], False
        self.pinned, self.feed = [], []
        self.post_errors = dict.fromkeys(POST_FIELDS, "")
        self._live_seen, self._live_seen_topic, self._live_seen_group = [], "", ""

    def _forget_post(self) -> None:
        self.post, self.comments = PostRow(), []
        self.may_comment = self.post_missing = False
        self.comment_error = ""
        self.editing_comment = self.replying_to = 0

    def _forget_draft_image(self) -> None:
        """Drop the composer's image (its file is removed: no post names it)."""
        if self._draft_image_file:
            filenames.remove(APP_KEY, self._draft_image_file)
        self._draft_image_file = self.draft_image = self.image_error = ""

    def _post_id(self) -> int | None:
        text = self._route_param("post")
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else None
        return value if db.is_row_id(value) else None

    # --- My groups -------------------------------------------------------------------------------

    @rx.event
    async def load_groups(self):
        principal, _ = await self._gate(APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        await self._show_groups(principal.account_id)

    async def _show_groups(self, account_id: int) -> None:
        mine = await asyncio.to_thread(groups.my_groups, account_id)
        others = await asyncio.to_thread(groups.groups_to_join, account_id)

        def row(card: groups.GroupCard) -> GroupRow:
            return GroupRow(
                slug=card.slug,
                name=card.name,
                description=card.description,
                private=card.visibility == "private",
                pending=card.status == "pending",
                new_posts=card.new_posts,
                href=f"{ROUTE}/{card.slug}",
            )

        self.my_groups = [row(card) for card in mine]
        self.other_groups = [row(card) for card in others]
        self.groups_loaded = True

    @rx.event
    async def join_group(self, slug: str):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        try:
            status = await asyncio.to_thread(groups.join, principal.account_id, slug)
        except LookupError:
            self.join_notice = "That group is not open to join."
        else:
            self.join_notice = {
                "active": "You joined the group.",
                "pending": "You asked to join. The group's moderators will let you in.",
            }.get(status, "You cannot join that group.")
        await self._show_groups(principal.account_id)

    # --- a group's feed ----------------------------------------------------------------------------

    @rx.event
    async def load_group(self):
        principal, _ = await self._gate(APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self._forget_group()
        await self._note_live_version(principal.account_id)
        await self._show_feed(principal.account_id)
        if not self.group_missing:
            await asyncio.to_thread(groups.mark_seen, principal.account_id, self.group_slug)
            return CommunitiesState.follow_group
        return None

    async def _show_feed(self, account_id: int, *, more: bool = False, keep_length: bool = False) -> None:
        """The feed's first page (or, with `more`, the next one after what is shown). A live refresh keeps
        as many posts as the page shows (`keep_length`), so nobody loses their place."""
        slug, channel = self._route_param("group"), self._route_param("channel")
        # Keeping the page: every post down to the oldest one shown (all of them when nothing older is left).
        keep = keep_length and not more and slug == self.group_slug and bool(self.feed)
        through = self.older_page if keep and self.older_page else None
        size = posts.MAX_PAGE_SIZE if keep and not through else posts.PAGE_SIZE
        try:
            page = await asyncio.to_thread(
                posts.feed, account_id, slug, channel or None, self.older_page if more else None, size, through
            )
        except LookupError:
            self._forget_group()
            self.group_missing = True
            return
        self.group_slug, self.group_name, self.may_post = page.group_slug, page.group_name, page.may_post
        self.group_description, self.cover_url, self.channel_slug = page.description, page.cover_url, page.channel
        self.channels = [ChannelRow(s, n, f"{ROUTE}/{page.group_slug}/{s}") for s, n in page.channels]
        self.is_moderator = page.moderator
        rows = [_post_row(page.group_slug, item) for item in page.posts]
        if more:
            self.feed = [*self.feed, *rows]
        else:
            self.pinned = [_post_row(page.group_slug, item) for item in page.pinned]
            self.feed = rows
        self.older_page = page.next_cursor or ""

    @rx.event
    async def more_posts(self):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        if not self.older_page:
            return None
        # The cursor belongs to the group this tab loaded: another group's page starts afresh.
        await self._show_feed(principal.account_id, more=self._route_param("group") == self.group_slug)

    @rx.event
    async def publish(self, form_data: dict):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        self.post_errors = dict.fromkeys(POST_FIELDS, "")
        self.notice = ""
        channel = self._route_param("channel") or data.get("channel") or "general"
        try:
            await asyncio.to_thread(
                posts.create_post,
                principal.account_id,
                self._route_param("group"),
                channel,
                title=data.get("title", ""),
                body=data.get("body"),
                image=self._draft_image_file,
                image_alt=data.get("image_alt", ""),
            )
        except FormErrors as refused:
            self.post_errors = {field: refused.errors.get(field, "") for field in POST_FIELDS}
            self.image_error = refused.errors.get("image_alt", "")
            return
        except LookupError:
            # The group went away for this person, or only the chosen channel did: say which, keep the text.
            await self._show_feed(principal.account_id, keep_length=True)
            if not self.group_missing:
                self.post_errors = {**self.post_errors, "body": "That channel is not there any more. Choose another."}
            return
        self._draft_image_file = self.draft_image = ""  # the post has it now
        self.composer_version += 1
        self.notice = "Posted."
        await self._show_feed(principal.account_id)

    @rx.event
    async def attach_image(self, files: list[rx.UploadFile]):
        """The composer's image: stored now (kind and size checked), posted with the post."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        self.image_error = ""
        chosen = [item for item in files if isinstance(item, rx.UploadFile)] if isinstance(files, list) else []
        if not self.may_post or self._route_param("group") != self.group_slug:
            self.image_error = "Only people who may post here can add an image."
            return None
        if len(chosen) != 1:
            self.image_error = "Choose one PNG, JPEG, GIF or WebP image (up to 5 MB), then add it."
            return None
        try:
            stored = await asyncio.to_thread(images.store_image, chosen[0].file)
        except FieldError as refused:
            self.image_error = refused.message
            return None
        self._forget_draft_image()
        self._draft_image_file = stored.name
        size = f"{max(1, stored.size // 1024)} KB" if stored.size < 1024 * 1024 else f"{stored.size / 1048576:.1f} MB"
        self.draft_image = f"{filenames.shown_name(chosen[0].filename, stored.content_type)}, {size}"
        return None

    @rx.event
    async def remove_image(self):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        self._forget_draft_image()
        return None

    # --- editing my posts and comments -----------------------------------------------------------

    @rx.event
    async def edit_post(self, post_id: int):
        """Open the edit form of one of my posts (0 closes it)."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        shown = [row for row in (*self.pinned, *self.feed, *self.search_results, self.post) if row.mine]
        self.editing_post = post_id if isinstance(post_id, int) and any(row.id == post_id for row in shown) else 0
        self.edit_errors = dict.fromkeys(POST_FIELDS, "")
        return None

    @rx.event
    async def save_post(self, form_data: dict):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        self.edit_errors = dict.fromkeys(POST_FIELDS, "")
        try:
            await asyncio.to_thread(
                posts.edit_post,
                principal.account_id,
                self._route_param("group"),
                _form_id(data.get("post_id")),
                title=data.get("edit-title", ""),
                body=data.get("body"),
            )
        except FormErrors as refused:
            self.edit_errors = {field: refused.errors.get(field, "") for field in POST_FIELDS}
            return None
        except LookupError:
            self.notice = "That post is not yours to edit, or it is gone."
        else:
            self.notice = "Post saved."
        self.editing_post = 0
        await self._after_change(principal.account_id)
        return None

    @rx.event
    async def edit_comment(self, comment_id: int):
        """Open the edit form of one of my comments (0 closes it)."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        mine = {c.id for top in self.comments for c in (top, *top.replies) if c.mine}
        self.editing_comment = comment_id if isinstance(comment_id, int) and comment_id in mine else 0
        self.replying_to = 0
        self.comment_error = ""
        return None

    @rx.event
    async def save_comment(self, form_data: dict):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        self.comment_error = ""
        try:
            await asyncio.to_thread(
                posts.edit_comment,
                principal.account_id,
                self._route_param("group"),
                _form_id(data.get("comment_id")),
                body=data.get("body"),
            )
        except FormErrors as refused:
            self.comment_error = " ".join(refused.errors.values())
            return None
        except LookupError:
            self.comment_error = "That comment is not yours to edit, or it is gone."
        self.editing_comment = 0
        await self._show_post(principal.account_id)
        return None

    @rx.event
    async def reply_to(self, comment_id: int):
        """Open the reply form under a comment of this post (0 closes it)."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        shown = {c.id for top in self.comments for c in (top, *top.replies)}
        self.replying_to = comment_id if isinstance(comment_id, int) and comment_id in shown else 0
        self.editing_comment = 0
        self.comment_error = ""
        return None

    @rx.event
    async def like_comment(self, comment_id: int):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        self.comment_error = ""
        try:
            await asyncio.to_thread(
                posts.toggle_comment_like, principal.account_id, self._route_param("group"), comment_id
            )
        except FormErrors as refused:
            self.comment_error = " ".join(refused.errors.values())
            return None
        except LookupError:
            self.comment_error = "That comment is not there any more."
        await self._show_post(principal.account_id)
        return None

    @rx.event
    async def like(self, post_id: int):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        try:
            liked, count = await asyncio.to_thread(
                posts.toggle_post_like, principal.account_id, self._route_param("group"), post_id
            )
        except FormErrors as refused:
            self.notice = " ".join(refused.errors.values())
            return
        except LookupError:
            self.notice = "That post is not there any more."
            return
        # Only the liked post changes: the older posts loaded with "Show older posts" stay.
        for row in (*self.pinned, *self.feed, self.post):
            if row.id == post_id:
                row.liked, row.likes = liked, count
        self.pinned, self.feed, self.post = list(self.pinned), list(self.feed), self.post

    # --- moderation and reports --------------------------------------------------------------------

    async def _after_change(self, account_id: int) -> None:
        """Show the change where the person made it: the post page, or the feed as far down as they had read
        (and the search results, when they searched)."""
        if self._route_param("post"):
            await self._show_post(account_id)
            return
        await self._show_feed(account_id, keep_length=True)
        if self.search_query and not self.group_missing:
            found = await asyncio.to_thread(posts.search, account_id, self.group_slug, self.search_query)
            self.search_results = [_post_row(self.group_slug, item) for item in found]

    @rx.event
    async def moderate(self, post_id: int, flag: str, on: bool):
        """Pin, hide or close comments on a post (moderators only; the service checks)."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        self.notice = ""
        try:
            await asyncio.to_thread(
                moderation.set_post_flag, principal.account_id, self._route_param("group"), post_id, flag, on
            )
        except FormErrors as refused:
            self.notice = " ".join(refused.errors.values())
        except LookupError:
            self.notice = "That post is not there any more."
        await self._after_change(principal.account_id)

    @rx.event
    async def remove_post(self, post_id: int):
        """Delete a post: its author, or a moderator."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        try:
            await asyncio.to_thread(posts.delete_post, principal.account_id, self._route_param("group"), post_id)
        except LookupError:
            self.notice = "That post is not yours to delete, or it is gone."
            return None
        if self._route_param("post"):
            return rx.redirect(f"{ROUTE}/{self._route_param('group')}")
        self.notice = "Post deleted."
        await self._show_feed(principal.account_id)
        return None

    @rx.event
    async def report_post(self, form_data: dict):
        """A member reports the post in the form (its id in a hidden field) with a reason."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        post_id = _form_id(data.get("post_id"))
        # A comment's report names it too; anything but its id is refused by the service (-1 is never one).
        comment_id = None if data.get("comment_id") is None else _form_id(data.get("comment_id"))
        try:
            added = await asyncio.to_thread(
                moderation.report,
                principal.account_id,
                self._route_param("group"),
                post_id,
                reason=data.get("reason"),
                comment_id=comment_id,
            )
        except FormErrors as refused:
            self.report_notice = " ".join(refused.errors.values())
            return
        except LookupError:
            self.report_notice = "That post is not there any more."
            return
        self.report_notice = (
            "Thank you: the group's moderators will look at it." if added else "You had reported it already."
        )

    @rx.event
    async def search(self, form_data: dict):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        query = data.get("query")
        self.search_query = query.strip()[: posts.MAX_QUERY_LENGTH] if isinstance(query, str) else ""
        try:
            found = await asyncio.to_thread(
                posts.search, principal.account_id, self._route_param("group"), self.search_query
            )
        except LookupError:
            self._forget_group()
            self.group_missing = True
            return
        self.search_results = [_post_row(self.group_slug, item) for item in found]

    @rx.event
    async def clear_search(self):
        self.search_query, self.search_results = "", []

    @rx.event
    async def load_queue(self):
        """on_load of /apps/communities/[group]/moderation: the group's open reports, for its moderators."""
        principal, _ = await self._gate(APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self._forget_group()
        await self._show_queue(principal.account_id)

    async def _show_queue(self, account_id: int) -> None:
        slug = self._route_param("group")
        try:
            items = await asyncio.to_thread(moderation.open_reports, account_id, slug)
        except (LookupError, FormErrors):
            self._forget_group()
            self.group_missing = True
            return
        self.group_slug = slug
        self.reports = [
            ReportRow(
                id=item.id,
                reason=item.reason,
                reporter=item.reporter,
                when=date_time(item.created_at),
                what="A comment" if item.comment_id else "A post",
                excerpt_html=safe_html(item.excerpt),
                href=f"{ROUTE}/{slug}/post/{item.post_id}",
            )
            for item in items
        ]
        self.queue_loaded = True

    @rx.event
    async def close_report(self, report_id: int, outcome: str):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        try:
            await asyncio.to_thread(
                moderation.close_report, principal.account_id, self._route_param("group"), report_id, outcome
            )
            self.notice = "Report resolved." if outcome == "resolved" else "Report dismissed."
        except (LookupError, FormErrors):
            self.notice = "That report is not open any more."
        await self._show_queue(principal.account_id)

    @rx.event
    async def load_members(self):
        """on_load of /apps/communities/[group]/members."""
        principal, _ = await self._gate(APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self._forget_group()
        await self._show_members(principal.account_id)

    async def _show_members(self, account_id: int) -> None:
        slug = self._route_param("group")
        try:
            listing = await asyncio.to_thread(groups.members, account_id, slug)
        except LookupError:
            self._forget_group()
            self.group_missing = True
            return
        self.group_slug, self.group_name, self.is_moderator = slug, listing.group_name, listing.moderator
        self.group_members = [MemberRow(m.account_id, m.name, m.role, m.status) for m in listing.members]
        self.members_loaded = True

    @rx.event
    async def member_action(self, account_id: int, action: str):
        """A moderator approves or declines a request, or bans or reinstates a member (the service checks rank)."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        slug = self._route_param("group")
        self.notice = ""
        try:
            if action == "decline":
                await asyncio.to_thread(groups.decline, principal.account_id, slug, account_id)
            elif action in ("approve", "reinstate", "ban"):
                status = "banned" if action == "ban" else "active"
                await asyncio.to_thread(groups.set_member_status, principal.account_id, slug, account_id, status)
            else:
                raise LookupError("not a member action")
            self.notice = {
                "approve": "Approved.",
                "decline": "Request declined.",
                "ban": "Banned.",
                "reinstate": "Reinstated.",
            }[action]
        except FormErrors as refused:
            self.notice = " ".join(refused.errors.values())
        except LookupError:
            self.notice = "That person is not in the group any more."
        await self._show_members(principal.account_id)

    @rx.event
    async def comment_action(self, comment_id: int, action: str):
        """Delete a comment (its author or a moderator), or hide or show it (moderators)."""
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        group = self._route_param("group")
        self.comment_error = ""
        try:
            if action == "delete":
                await asyncio.to_thread(posts.delete_comment, principal.account_id, group, comment_id)
            elif action in ("hide", "show"):
                await asyncio.to_thread(
                    moderation.set_comment_hidden, principal.account_id, group, comment_id, action == "hide"
                )
            else:
                raise LookupError("not a comment action")
        except FormErrors as refused:
            self.comment_error = " ".join(refused.errors.values())
        except LookupError:
            self.comment_error = "That comment is not yours to change, or it is gone."
        await self._show_post(principal.account_id)

    # --- live ------------------------------------------------------------------------------------

    async def _note_live_version(self, account_id: int) -> None:
        """Before the page reads the group: how many changes its live topic has had (see follow_group)."""
        slug = self._route_param("group")
        topic = await asyncio.to_thread(_topic_of, account_id, slug)
        version = await live.version(topic) if topic else None
        self._live_seen = list(version) if version and topic else []
        self._live_seen_topic, self._live_seen_group = (topic, slug) if topic else ("", "")

    @rx.event(background=True)
    async def follow_group(self):
        """Refresh the feed (or the post) whenever something changes in the group, in any tab or worker;
        ends when the tab leaves the page. Events carry nothing but "changed": the refresh reads under
        this person's own access check."""
        async with self:
            principal, _ = await self._gate(APP_KEY, send_to_login=False, send_to_profile=False)
            slug = self._route_param("group")
            if principal is None:
                topic = None
            elif slug == self._live_seen_group and self._live_seen_topic:
                # The page's load has just read this group's topic under its own access check: not again.
                topic = self._live_seen_topic
            else:
                topic = await asyncio.to_thread(_topic_of, principal.account_id, slug)
            # Nothing published since the page's load read the group: no catch-up reload (it repeated that load).
            seen = tuple(self._live_seen) if topic == self._live_seen_topic and self._live_seen else None
        if topic is not None:
            await live_reflex.follow(self, topic, self._refresh, seen=seen)

    async def _refresh(self, _event: dict | None) -> bool:
        """Runs under the state's lock: check access again, then reload what the page shows; stop once access is gone."""
        principal, _ = await self._gate(APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return False
        if self._route_param("post"):
            await self._show_post(principal.account_id)
            return not self.post_missing
        await self._show_feed(principal.account_id, keep_length=True)
        return not self.group_missing

    # --- a post ----------------------------------------------------------------------------------

    @rx.event
    async def load_post(self):
        principal, _ = await self._gate(APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self._forget_group()
        self._forget_post()
        await self._note_live_version(principal.account_id)
        await self._show_post(principal.account_id)
        if not self.post_missing:
            return CommunitiesState.follow_group
        return None

    async def _show_post(self, account_id: int) -> None:
        try:
            view = await asyncio.to_thread(posts.post_view, account_id, self._route_param("group"), self._post_id())
        except LookupError:
            self._forget_post()
            self.post_missing = True
            return
        self.group_slug, self.group_name = view.group_slug, view.group_name
        self.post = _post_row(view.group_slug, view.post)
        self.comments = [_comment_row(item) for item in view.comments]
        self.may_comment = view.may_comment
        self.is_moderator = view.moderator

    @rx.event
    async def comment(self, form_data: dict):
        principal, redirect = await self._gate(APP_KEY)
        if principal is None:
            return redirect
        data = form_data if isinstance(form_data, dict) else {}
        parent = data.get("parent_id") or None
        # A reply names its comment; anything that is not an id is refused by the service (-1 is never one).
        valid = isinstance(parent, str) and parent.isascii() and parent.isdigit() and len(parent) <= 19
        parent_id = None if parent is None else (int(parent) if valid else -1)
        self.comment_error = ""
        try:
            await asyncio.to_thread(
                posts.add_comment,
                principal.account_id,
                self._route_param("group"),
                self._post_id(),
                body=data.get("body"),
                parent_id=parent_id,
            )
        except FormErrors as refused:
            self.comment_error = " ".join(refused.errors.values())
            return
        except LookupError:
            # Keep what was typed; say why once the post is shown afresh.
            await self._show_post(principal.account_id)
            self.comment_error = "That post or comment is not there any more."
            return
        self.composer_version += 1
        self.replying_to = 0
        await self._show_post(principal.account_id)
