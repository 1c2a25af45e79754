"""/admin/apps/communities/groups/[group]: one group for staff: its details, its cover and its channels,
with links to its members and its reports. Plain HTML forms with labelled fields, usable by keyboard;
every refused field gets its message beside it."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.communities.models import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_SLUG_LENGTH
from portal_app.apps.communities.owner_channels import MAX_CHANNEL_NAME
from portal_app.apps.communities.ui.owner_group_state import ADMIN_BASE, REPORTS_PAGE
from portal_app.apps.communities.ui.owner_group_state import CommunitiesGroupAdminState as State
from portal_app.shell.ui.forms import field, notice
from portal_app.shell.ui.lists import plain_list

_IMAGES = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/gif": [".gif"], "image/webp": [".webp"]}
COVER_UPLOAD = "group-cover-upload"


def error_text(message, field_id: str) -> rx.Component:
    return rx.text(message, id=f"{field_id}-error", size="2", color_scheme="red", role="alert", aria_live="polite")


def select_field(label: str, name: str, options: tuple[tuple[str, str], ...], value, error) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="portal-label"),
        rx.el.select(
            *(rx.el.option(text, value=option) for option, text in options),
            id=name,
            name=name,
            default_value=value,
            class_name="portal-select",
            aria_describedby=f"{name}-error",
        ),
        error_text(error, name),
        spacing="1",
    )


def back_link(text: str, href) -> rx.Component:
    return rx.link("← " + text, href=href, size="2")


def _details_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Details", as_="h2", size="4"),
                field(
                    "Group name",
                    "name",
                    error=State.group_errors["name"],
                    default_value=State.group_name,
                    max_length=MAX_NAME_LENGTH,
                ),
                field(
                    "Address",
                    "slug",
                    error=State.group_errors["slug"],
                    hint="Lower-case letters, digits and hyphens. Links to the old address stop working.",
                    default_value=State.group_slug,
                    max_length=MAX_SLUG_LENGTH,
                ),
                rx.vstack(
                    rx.el.label("Description", html_for="description", class_name="portal-label"),
                    rx.text_area(
                        id="description",
                        name="description",
                        default_value=State.group_description,
                        rows="4",
                        max_length=MAX_DESCRIPTION_LENGTH,
                        aria_describedby="description-error",
                        aria_invalid=rx.cond(State.group_errors["description"] != "", "true", "false"),
                        width="100%",
                    ),
                    error_text(State.group_errors["description"], "description"),
                    spacing="1",
                    width="100%",
                ),
                rx.hstack(
                    select_field(
                        "Who can see it",
                        "visibility",
                        (("public", "Public: anyone with the app"), ("private", "Private: members only")),
                        State.group_visibility,
                        State.group_errors["visibility"],
                    ),
                    select_field(
                        "Who can post",
                        "posting",
                        (("everyone", "Every member"), ("admins", "Admins only")),
                        State.group_posting,
                        State.group_errors["posting"],
                    ),
                    spacing="4",
                    wrap="wrap",
                ),
                rx.button("Save changes", type="submit", size="3"),
                spacing="3",
                width="100%",
                max_width="640px",
            ),
            key=State.group_form_version,
            on_submit=State.save_group,
            width="100%",
        ),
        width="100%",
    )


def _cover() -> rx.Component:
    """The cover, and a picker (click, Enter or drop). The dropzone's hidden input takes no id or aria
    attributes, so a <label> wraps it; clicks reach the input through the label (no_click)."""
    return rx.card(
        rx.vstack(
            rx.heading("Cover", as_="h2", size="4"),
            rx.cond(
                State.group_cover_url != "",
                rx.hstack(
                    rx.image(src=State.group_cover_url, alt="The group's cover", width="240px", border_radius="8px"),
                    rx.button("Remove cover", variant="soft", color_scheme="red", on_click=State.remove_cover),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.text("No cover yet.", color_scheme="gray"),
            ),
            rx.el.label(
                rx.text("New cover image", class_name="portal-label"),
                rx.upload(
                    rx.hstack(
                        rx.icon("upload", size=16, aria_hidden="true"),
                        rx.text("Choose an image or drop it here"),
                        rx.foreach(rx.selected_files(COVER_UPLOAD), lambda name: rx.badge(name, variant="soft")),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                    id=COVER_UPLOAD,
                    accept=_IMAGES,
                    multiple=False,
                    max_files=1,
                    no_click=True,
                    border="1px dashed var(--gray-7)",
                    border_radius="8px",
                    padding="12px",
                    width="100%",
                    cursor="pointer",
                ),
                style={"display": "grid", "gap": "4px", "width": "100%"},
            ),
            rx.text(
                "PNG, JPEG, GIF or WebP, up to 5 MB. Shown at the top of the group.", size="2", color_scheme="gray"
            ),
            rx.button(
                "Upload cover",
                type="button",
                variant="soft",
                on_click=State.upload_cover(rx.upload_files(upload_id=COVER_UPLOAD)),
            ),
            error_text(State.cover_error, COVER_UPLOAD),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _move_button(channel, direction: str, disabled) -> rx.Component:
    return rx.icon_button(
        rx.icon(f"arrow-{direction}", size=16),
        size="1",
        variant="soft",
        aria_label=f"Move {direction}: " + channel.name,
        disabled=disabled,
        on_click=State.move_channel(channel.slug, direction),
    )


def _delete_channel(channel) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.icon_button(
                rx.icon("trash-2", size=16),
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label="Delete channel: " + channel.name,
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this channel?"),
            rx.alert_dialog.description(
                "\u201c",
                channel.name,
                "\u201d goes. What it holds (",
                channel.posts,
                ") moves to General with its comments and likes: nothing members wrote is lost.",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Yes, remove it", color_scheme="red", on_click=State.delete_channel(channel.slug))
                ),
                justify="end",
                spacing="3",
            ),
        ),
    )


def _channel_item(channel) -> rx.Component:
    field_id = "channel-" + channel.slug + "-name"
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.text(channel.name, weight="medium"),
                rx.text("/", channel.slug, size="1", color_scheme="gray"),
                rx.badge(channel.posts, variant="soft", color_scheme="gray"),
                rx.cond(channel.is_general, rx.badge("Default", variant="soft")),
                rx.spacer(),
                _move_button(channel, "up", channel.first),
                _move_button(channel, "down", channel.last),
                rx.cond(channel.is_general, rx.fragment(), _delete_channel(channel)),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.form(
                rx.vstack(
                    rx.el.label("New name for " + channel.name, html_for=field_id, class_name="portal-label"),
                    rx.hstack(
                        rx.input(
                            id=field_id,
                            name="name",
                            default_value=channel.name,
                            max_length=MAX_CHANNEL_NAME,
                            aria_describedby=field_id + "-error",
                            flex="1",
                            max_width="360px",
                        ),
                        rx.button(
                            "Rename", type="submit", variant="soft", aria_label="Rename channel: " + channel.name
                        ),
                        align="center",
                        spacing="2",
                        width="100%",
                    ),
                    spacing="1",
                    width="100%",
                ),
                # The channel rides in the form: a form's submit handler is compiled outside the loop.
                rx.el.input(type="hidden", name="channel", value=channel.slug),
                rx.text(
                    rx.cond(State.rename_slug == channel.slug, State.rename_error, ""),
                    id=field_id + "-error",
                    size="2",
                    color_scheme="red",
                    role="alert",
                ),
                key=channel.slug + "-" + State.channel_form_version.to_string(),
                on_submit=State.rename_channel,
            ),
            spacing="2",
            width="100%",
        ),
        style={"padding": "10px 0", "borderBottom": "1px solid var(--gray-4)"},
    )


def _channels() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Channels", as_="h2", size="4"),
            rx.text(
                "Members post in a channel; General takes posts when no channel is chosen and cannot be deleted. "
                "A channel keeps its address when renamed.",
                size="2",
                color_scheme="gray",
            ),
            plain_list(rx.foreach(State.channels, _channel_item), ordered=True, aria_label="Channels"),
            error_text(State.channel_errors["channels"], "channels"),
            rx.form(
                rx.hstack(
                    rx.box(
                        field(
                            "New channel name",
                            "channel_name",
                            error=State.channel_errors["channel_name"],
                            max_length=MAX_CHANNEL_NAME,
                        ),
                        flex="1",
                    ),
                    rx.button("Add channel", type="submit", variant="soft", size="3"),
                    align="start",
                    width="100%",
                ),
                key=State.channel_form_version,
                on_submit=State.add_channel,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(State.group_name, as_="h1", size="7"),
            rx.badge(rx.cond(State.group_visibility == "private", "Private", "Public"), variant="soft"),
            rx.cond(State.group_archived, rx.badge("Archived", color_scheme="orange", variant="soft")),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.hstack(
            rx.link(
                "Members (",
                State.group_members,
                rx.cond(State.group_pending > 0, rx.fragment(", ", State.group_pending, " waiting"), ""),
                ")",
                href=ADMIN_BASE + "/groups/" + State.group_slug + "/members",
            ),
            rx.link("Open reports (", State.group_reports, ")", href=REPORTS_PAGE + "?group=" + State.group_slug),
            rx.link("The group as members see it", href="/apps/communities/" + State.group_slug),
            spacing="4",
            wrap="wrap",
        ),
        rx.cond(
            State.group_archived,
            rx.hstack(
                rx.text("Archived: members can read it but not post, and it is hidden from My groups."),
                rx.button("Restore group", variant="soft", on_click=State.set_archived(False)),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.button("Archive group", variant="soft", color_scheme="gray", on_click=State.set_archived(True)),
        ),
        spacing="2",
        width="100%",
    )


def communities_group_admin_page() -> rx.Component:
    return rx.vstack(
        back_link("All groups", ADMIN_BASE),
        rx.cond(
            State.group_missing,
            rx.heading("There is no such group", as_="h1", size="6"),
            rx.cond(
                State.group_ready,
                rx.vstack(
                    _summary(),
                    notice(State.group_notice),
                    _details_form(),
                    _cover(),
                    _channels(),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )
