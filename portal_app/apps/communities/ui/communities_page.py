"""Communities' pages for a group: its feed (/apps/communities/[group]), a post with its comments
(/apps/communities/[group]/post/[post]), its members and its moderation queue. My groups is in
groups_page.py: a page module of its own gets a JS file of its own, so the list of groups does not load the
feed's composer and its upload library."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.communities.ui.communities_state import CommunitiesState as State
from portal_app.shell.ui.counts import counted
from portal_app.shell.ui.forms import IMAGE_TYPES, field, file_picker, notice
from portal_app.shell.ui.lists import plain_list

# Text people wrote, shown as an article (the theme resets lists and spacing).
_BODY = {
    "lineHeight": "1.55",
    "& p, & ul, & ol, & pre, & blockquote": {"margin": "0 0 0.6em"},
    "& ul": {"listStyle": "disc", "paddingLeft": "1.4em"},
    "& ol": {"listStyle": "decimal", "paddingLeft": "1.4em"},
    "& a": {"color": "var(--accent-11)", "textDecoration": "underline"},
    "& code, & pre": {"fontFamily": "var(--code-font-family)", "background": "var(--gray-3)"},
}


def _like_button(post) -> rx.Component:
    return rx.button(
        rx.icon("heart", size=14, fill=rx.cond(post.liked, "currentColor", "none"), aria_hidden="true"),
        post.likes,
        size="1",
        variant=rx.cond(post.liked, "solid", "soft"),
        aria_label=rx.cond(post.liked, "Unlike", "Like") + " (" + counted(post.likes, "like", "likes") + ")",
        aria_pressed=rx.cond(post.liked, "true", "false"),
        on_click=State.like(post.id),
    )


def _tool(label, aria_label, on_click, color_scheme: str = "gray") -> rx.Component:
    return rx.button(
        label, size="1", variant="soft", color_scheme=color_scheme, aria_label=aria_label, on_click=on_click
    )


def _moderator_tools(post) -> rx.Component:
    name = rx.cond(post.title != "", post.title, "this post")
    return rx.fragment(
        _tool(
            rx.cond(post.pinned, "Unpin", "Pin"),
            rx.cond(post.pinned, "Unpin ", "Pin ") + name,
            State.moderate(post.id, "pinned", ~post.pinned),
        ),
        _tool(
            rx.cond(post.hidden, "Show", "Hide"),
            rx.cond(post.hidden, "Show ", "Hide ") + name,
            State.moderate(post.id, "hidden", ~post.hidden),
        ),
        _tool(
            rx.cond(post.comments_closed, "Open comments", "Close comments"),
            rx.cond(post.comments_closed, "Open comments on ", "Close comments on ") + name,
            State.moderate(post.id, "comments_closed", ~post.comments_closed),
        ),
    )


def _delete_tool(post) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Delete", size="1", variant="soft", color_scheme="red", aria_label="Delete post: " + post.title)
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this post?"),
            rx.alert_dialog.description("It goes with its comments and likes, for everyone."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Delete post", color_scheme="red", on_click=State.remove_post(post.id))
                ),
                justify="end",
                spacing="3",
            ),
        ),
    )


def _report_tool(post, comment=None) -> rx.Component:
    """Report a post, or (`comment`) one of its comments, with a reason, for the group's moderators."""
    field_id = "reason-" + post.id.to_string() + ("" if comment is None else "-" + comment.id.to_string())
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                "Report",
                size="1",
                variant="soft",
                color_scheme="gray",
                aria_label=("Report post: " + post.title)
                if comment is None
                else ("Report what " + comment.author + " wrote"),
            )
        ),
        rx.popover.content(
            rx.form(
                rx.vstack(
                    rx.el.label("Why are you reporting it?", html_for=field_id, class_name="portal-label"),
                    rx.input(id=field_id, name="reason", max_length=500),
                    rx.el.input(type="hidden", name="post_id", value=post.id),
                    *(() if comment is None else (rx.el.input(type="hidden", name="comment_id", value=comment.id),)),
                    rx.button("Send report", type="submit", size="2"),
                    rx.text(State.report_notice, size="2", role="status"),
                    spacing="2",
                ),
                on_submit=State.report_post,
                reset_on_submit=True,
            ),
        ),
    )


def _post_tools(post) -> rx.Component:
    return rx.hstack(
        rx.cond(
            post.mine & (State.editing_post != post.id),
            _tool("Edit", "Edit post: " + post.title, State.edit_post(post.id)),
        ),
        rx.cond(State.is_moderator, _moderator_tools(post)),
        rx.cond(post.mine | State.is_moderator, _delete_tool(post)),
        rx.cond(~post.mine, _report_tool(post)),
        spacing="2",
        wrap="wrap",
    )


def _listed_post(post) -> rx.Component:
    """A post in a list (feed, pinned, search): one argument, so foreach never passes its index, and keyed
    by the post's id, so a post arriving live above does not move an open edit form onto another post."""
    return rx.fragment(_post_card(post), key=post.id)


def _post_card(post, *, linked: bool = True) -> rx.Component:
    return rx.el.article(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(post.author, weight="medium"),
                    rx.text(post.when, size="1", color_scheme="gray"),
                    rx.cond(post.edited, rx.text("(edited)", size="1", color_scheme="gray")),
                    rx.cond(post.pinned, rx.badge("Pinned", color_scheme="amber", variant="soft", high_contrast=True)),
                    rx.cond(post.hidden, rx.badge("Hidden", color_scheme="red", variant="soft")),
                    rx.cond(post.comments_closed, rx.badge("Comments closed", color_scheme="gray", variant="soft")),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    post.title != "",
                    rx.heading(rx.link(post.title, href=post.href) if linked else post.title, as_="h2", size="4"),
                ),
                rx.cond(
                    State.editing_post == post.id,
                    _post_editor(post),
                    rx.fragment(
                        # Sanitised on the server (apps.markdown.safe_html): never raw text.
                        rx.box(rx.html(post.body_html), class_name="post-body", width="100%", style=_BODY),
                        rx.cond(
                            post.image_url != "",
                            rx.image(
                                src=post.image_url,
                                alt=post.image_alt,
                                loading="lazy",
                                style={"maxWidth": "100%", "maxHeight": "480px", "borderRadius": "8px"},
                            ),
                        ),
                    ),
                ),
                rx.hstack(
                    _like_button(post),
                    rx.link(counted(post.comments, "comment", "comments"), href=post.href, size="2")
                    if linked
                    else rx.fragment(),
                    rx.spacer(),
                    _post_tools(post),
                    align="center",
                    spacing="3",
                    width="100%",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        width="100%",
    )


def _post_editor(post) -> rx.Component:
    """The author's edit form, in place of the post's text."""
    return rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name="post_id", value=post.id),
            field(
                "New title", "edit-title", error=State.edit_errors["title"], max_length=200, default_value=post.title
            ),
            rx.el.label("New text", html_for="edit-body", class_name="portal-label"),
            rx.text_area(
                id="edit-body",
                name="body",
                default_value=post.body_markdown,
                rows="5",
                width="100%",
                aria_describedby="edit-body-error",
                aria_invalid=rx.cond(State.edit_errors["body"] != "", "true", "false"),
            ),
            rx.text(State.edit_errors["body"], id="edit-body-error", size="2", color_scheme="red", role="alert"),
            rx.hstack(
                rx.button("Save post", type="submit", size="2"),
                rx.button(
                    "Cancel", type="button", size="2", variant="soft", color_scheme="gray", on_click=State.edit_post(0)
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=State.save_post,
        width="100%",
    )


def _image_picker() -> rx.Component:
    return rx.cond(
        State.draft_image != "",
        rx.vstack(
            rx.hstack(
                rx.icon("image", size=16, aria_hidden="true"),
                rx.text("Image: ", State.draft_image, size="2"),
                rx.button(
                    "Remove image",
                    type="button",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=State.remove_image,
                ),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            field(
                "Describe the image (for people who cannot see it)",
                "image_alt",
                error=State.image_error,
                max_length=300,
            ),
            spacing="2",
            width="100%",
        ),
        file_picker(
            "post-image",
            "Image (optional)",
            "Add image",
            "PNG, JPEG, GIF or WebP, up to 5 MB.",
            IMAGE_TYPES,
            State.attach_image,
            State.image_error,
        ),
    )


def _channel_choice() -> rx.Component:
    """On the all-channels feed of a group with several channels: where the post goes."""
    return rx.cond(
        (State.channel_slug == "") & (State.channels.length() > 1),
        rx.vstack(
            rx.el.label("Channel", html_for="channel", class_name="portal-label"),
            rx.el.select(
                rx.foreach(State.channels, lambda channel: rx.el.option(channel.name, value=channel.slug)),
                id="channel",
                name="channel",
                style={"padding": "6px 8px", "borderRadius": "6px", "border": "1px solid var(--gray-7)"},
            ),
            spacing="1",
        ),
    )


def _composer() -> rx.Component:
    return rx.form(
        rx.vstack(
            _channel_choice(),
            field("Title (optional)", "title", error=State.post_errors["title"], max_length=200),
            rx.el.label("Your post", html_for="body", class_name="portal-label"),
            rx.text_area(
                id="body",
                name="body",
                rows="4",
                width="100%",
                aria_describedby="body-error",
                aria_invalid=rx.cond(State.post_errors["body"] != "", "true", "false"),
            ),
            rx.text(State.post_errors["body"], id="body-error", size="2", color_scheme="red", role="alert"),
            rx.text(
                "Markdown works: **bold**, *italic*, lists, links. Mention someone with @ and their name.",
                size="1",
                color_scheme="gray",
            ),
            _image_picker(),
            rx.button("Post", type="submit"),
            spacing="2",
            width="100%",
        ),
        key=State.composer_version,
        on_submit=State.publish,
        width="100%",
    )


def _search() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.box(field("Search this group", "query", error="", max_length=100), flex="1"),
                rx.button("Search", type="submit", variant="soft", size="3"),
                align="start",
                width="100%",
            ),
            on_submit=State.search,
            width="100%",
        ),
        rx.cond(
            State.search_query != "",
            rx.vstack(
                rx.hstack(
                    rx.text(
                        State.search_results.length(),
                        " posts found for \u201c",
                        State.search_query,
                        "\u201d",
                        weight="medium",
                    ),
                    rx.button("Clear search", size="1", variant="soft", on_click=State.clear_search),
                    align="center",
                    spacing="3",
                ),
                rx.foreach(State.search_results, _listed_post),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _report(report) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(report.what, " reported by ", report.reporter, weight="medium"),
                    rx.text(report.when, size="1", color_scheme="gray"),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text("Reason: ", report.reason),
                rx.box(rx.html(report.excerpt_html), style=_BODY, class_name="report-excerpt"),
                rx.hstack(
                    rx.link("Open the post", href=report.href),
                    rx.spacer(),
                    rx.button(
                        "Resolved",
                        size="1",
                        aria_label="Mark resolved: the report by " + report.reporter + ", " + report.when,
                        on_click=State.close_report(report.id, "resolved"),
                    ),
                    rx.button(
                        "Dismiss",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        aria_label="Dismiss the report by " + report.reporter + ", " + report.when,
                        on_click=State.close_report(report.id, "dismissed"),
                    ),
                    width="100%",
                    align="center",
                ),
                spacing="2",
                width="100%",
            )
        )
    )


def queue_page() -> rx.Component:
    return rx.vstack(
        rx.link("← Back to the group", href="/apps/communities/" + State.group_slug, size="2"),
        rx.cond(
            State.group_missing,
            rx.heading("The moderation queue is for the group's moderators", as_="h1", size="6"),
            rx.cond(
                State.queue_loaded,
                rx.vstack(
                    rx.heading("Moderation queue", as_="h1", size="7"),
                    notice(State.notice),
                    rx.cond(
                        State.reports.length() > 0,
                        plain_list(rx.foreach(State.reports, _report), gap="10px", aria_label="Open reports"),
                        rx.text("No open reports.", color_scheme="gray"),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


def _member(member) -> rx.Component:
    def action(label: str, name: str, **props) -> rx.Component:
        return rx.button(
            label,
            size="1",
            variant="soft",
            aria_label=label + " " + member.name,
            on_click=State.member_action(member.account_id, name),
            **props,
        )

    return rx.el.li(
        rx.hstack(
            rx.text(member.name, weight="medium"),
            rx.cond(member.role != "member", rx.badge(member.role, variant="soft")),
            rx.cond(
                member.status == "pending",
                rx.badge("Waiting to join", color_scheme="amber", variant="soft", high_contrast=True),
            ),
            rx.cond(member.status == "banned", rx.badge("Banned", color_scheme="red", variant="soft")),
            rx.spacer(),
            rx.cond(
                State.is_moderator,
                rx.match(
                    member.status,
                    (
                        "pending",
                        rx.hstack(
                            action("Approve", "approve"), action("Decline", "decline", color_scheme="gray"), spacing="2"
                        ),
                    ),
                    ("banned", action("Reinstate", "reinstate")),
                    rx.cond(member.role == "member", action("Ban", "ban", color_scheme="red"), rx.fragment()),
                ),
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        style={"padding": "8px 0", "borderBottom": "1px solid var(--gray-4)"},
    )


def members_page() -> rx.Component:
    return rx.vstack(
        rx.link("← Back to the group", href="/apps/communities/" + State.group_slug, size="2"),
        rx.cond(
            State.group_missing,
            rx.heading("That group is not open to you", as_="h1", size="6"),
            rx.cond(
                State.members_loaded,
                rx.vstack(
                    rx.heading("Members: ", State.group_name, as_="h1", size="7"),
                    notice(State.notice),
                    plain_list(rx.foreach(State.group_members, _member), aria_label="Members"),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


def _channel_tab(label, href, current) -> rx.Component:
    return rx.link(
        label,
        href=href,
        aria_current=rx.cond(current, "page", "false"),
        weight=rx.cond(current, "bold", "regular"),
        underline=rx.cond(current, "always", "hover"),
        size="2",
    )


def _channel_tabs() -> rx.Component:
    """Every channel, and all of them together; shown when the group has more than its General channel."""
    return rx.cond(
        State.channels.length() > 1,
        rx.el.nav(
            rx.hstack(
                _channel_tab("All channels", "/apps/communities/" + State.group_slug, State.channel_slug == ""),
                rx.foreach(
                    State.channels,
                    lambda channel: _channel_tab(channel.name, channel.href, State.channel_slug == channel.slug),
                ),
                spacing="4",
                wrap="wrap",
            ),
            aria_label="Channels",
        ),
    )


def group_page() -> rx.Component:
    return rx.vstack(
        rx.link("← My groups", href="/apps/communities", size="2"),
        rx.cond(
            State.group_missing,
            rx.vstack(
                rx.heading("That group is not open to you", as_="h1", size="6"),
                rx.text("It may not exist, or be private to its members.", color_scheme="gray"),
                spacing="2",
            ),
            rx.cond(
                State.group_name != "",
                rx.vstack(
                    rx.hstack(
                        rx.heading(State.group_name, as_="h1", size="7"),
                        rx.spacer(),
                        rx.link("Members", href="/apps/communities/" + State.group_slug + "/members"),
                        rx.cond(
                            State.is_moderator,
                            rx.link("Moderation queue", href="/apps/communities/" + State.group_slug + "/moderation"),
                        ),
                        align="center",
                        width="100%",
                        wrap="wrap",
                    ),
                    rx.cond(
                        State.cover_url != "",
                        rx.image(
                            src=State.cover_url,
                            alt="",
                            style={"width": "100%", "maxHeight": "200px", "objectFit": "cover", "borderRadius": "10px"},
                        ),
                    ),
                    rx.cond(State.group_description != "", rx.text(State.group_description, color_scheme="gray")),
                    _channel_tabs(),
                    notice(State.notice),
                    _search(),
                    rx.cond(State.may_post, _composer()),
                    rx.foreach(State.pinned, _listed_post),
                    rx.foreach(State.feed, _listed_post),
                    rx.cond(
                        (State.feed.length() == 0) & (State.pinned.length() == 0),
                        rx.text("No posts yet.", color_scheme="gray"),
                    ),
                    rx.cond(
                        State.older_page != "",
                        rx.button("Show older posts", variant="soft", on_click=State.more_posts),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


def _comment_form(
    hidden_name: str, hidden_value, label: str, field_id, button: str, on_submit, value=""
) -> rx.Component:
    """A reply or an edit, under the comment it belongs to."""
    return rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name=hidden_name, value=hidden_value),
            rx.el.label(label, html_for=field_id, class_name="portal-label"),
            rx.text_area(id=field_id, name="body", default_value=value, rows="3", width="100%"),
            rx.text(State.comment_error, size="2", color_scheme="red", role="alert"),
            rx.hstack(
                rx.button(button, type="submit", size="2"),
                rx.button(
                    "Cancel",
                    type="button",
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=State.reply_to(0),
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
    )


def _comment_like(comment) -> rx.Component:
    return rx.button(
        rx.icon("heart", size=12, fill=rx.cond(comment.liked, "currentColor", "none"), aria_hidden="true"),
        comment.likes,
        size="1",
        variant=rx.cond(comment.liked, "solid", "ghost"),
        aria_label=rx.cond(comment.liked, "Unlike what ", "Like what ")
        + comment.author
        + " wrote ("
        + counted(comment.likes, "like", "likes")
        + ")",
        aria_pressed=rx.cond(comment.liked, "true", "false"),
        on_click=State.like_comment(comment.id),
    )


def _comment_body(comment, *, top: bool = True) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(comment.author, weight="medium", size="2"),
            rx.text(comment.when, size="1", color_scheme="gray"),
            rx.cond(comment.edited, rx.text("(edited)", size="1", color_scheme="gray")),
            rx.cond(comment.hidden, rx.badge("Hidden", color_scheme="gray")),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            State.editing_comment == comment.id,
            _comment_form(
                "comment_id",
                comment.id,
                "Edit your comment",
                "edit-comment-" + comment.id.to_string(),
                "Save comment",
                State.save_comment,
                comment.body_markdown,
            ),
            rx.box(rx.html(comment.body_html), class_name="comment-body", style=_BODY),
        ),
        rx.hstack(
            _comment_like(comment),
            rx.cond(
                State.may_comment,
                _tool("Reply", "Reply to " + comment.author, State.reply_to(comment.id)),
            ),
            rx.cond(
                comment.mine,
                _tool("Edit", "Edit what " + comment.author + " wrote", State.edit_comment(comment.id)),
                rx.cond(State.may_comment, _report_tool(State.post, comment)),
            ),
            rx.cond(
                State.is_moderator,
                _tool(
                    rx.cond(comment.hidden, "Show", "Hide"),
                    rx.cond(comment.hidden, "Show what ", "Hide what ") + comment.author + " wrote",
                    State.comment_action(comment.id, rx.cond(comment.hidden, "show", "hide")),
                ),
            ),
            rx.cond(
                comment.mine | State.is_moderator,
                _tool(
                    "Delete",
                    "Delete what " + comment.author + " wrote",
                    State.comment_action(comment.id, "delete"),
                    color_scheme="red",
                ),
            ),
            spacing="2",
            align="center",
        ),
        rx.cond(
            State.replying_to == comment.id,
            _comment_form(
                "parent_id",
                comment.id,
                "Your reply to " + comment.author,
                "reply-" + comment.id.to_string(),
                "Send reply",
                State.comment,
            ),
        ),
        spacing="1",
        width="100%",
    )


_COMMENT_STYLE = {"padding": "8px 0", "borderBottom": "1px solid var(--gray-4)"}


def _thread(comment) -> rx.Component:
    """A comment with its replies listed inside it (one level)."""
    return rx.el.li(
        _comment_body(comment),
        rx.cond(
            comment.replies.length() > 0,
            plain_list(
                rx.foreach(
                    comment.replies, lambda reply: rx.el.li(_comment_body(reply), style=_COMMENT_STYLE, key=reply.id)
                ),
                style={"paddingLeft": "24px"},
                aria_label="Replies",
            ),
        ),
        style=_COMMENT_STYLE,
        key=comment.id,
    )


def post_page() -> rx.Component:
    return rx.vstack(
        rx.link("← Back to the group", href="/apps/communities/" + State.group_slug, size="2"),
        rx.cond(
            State.post_missing,
            rx.heading("That post is not open to you", as_="h1", size="6"),
            rx.cond(
                State.post.id != 0,
                rx.vstack(
                    rx.heading(State.group_name, as_="h1", size="5", color_scheme="gray"),
                    _post_card(State.post, linked=False),
                    rx.heading("Comments", as_="h2", size="4"),
                    plain_list(rx.foreach(State.comments, _thread), aria_label="Comments"),
                    rx.cond(
                        State.may_comment,
                        rx.form(
                            rx.vstack(
                                rx.el.label("Your comment", html_for="comment-body", class_name="portal-label"),
                                rx.text_area(id="comment-body", name="body", rows="3", width="100%"),
                                rx.text(State.comment_error, size="2", color_scheme="red", role="alert"),
                                rx.button("Comment", type="submit"),
                                spacing="2",
                                width="100%",
                            ),
                            key=State.composer_version,
                            on_submit=State.comment,
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )
