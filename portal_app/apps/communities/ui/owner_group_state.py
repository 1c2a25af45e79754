"""The state of /admin/apps/communities/groups/[group]: one group's details, cover and channels, for staff.

Every handler first asks `_staff_gate` (a live staff session, asked of the database now) and refuses
otherwise; the group comes from the tab's URL, and the services look every channel up within it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.communities import owner, owner_channels
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.registry import match_route
from portal_app.kernel.errors import FormErrors
from portal_app.shell.ui.base_state import form_text

ADMIN_BASE = "/admin/apps/communities"
GROUP_PAGE = f"{ADMIN_BASE}/groups/[group]"
MEMBERS_PAGE = f"{GROUP_PAGE}/members"
REPORTS_PAGE = f"{ADMIN_BASE}/reports"
GROUP_FIELDS = ("name", "slug", "description", "visibility", "posting")
CHANNEL_FIELDS = ("channel_name", "channels")
GONE = "That group is not there any more."


def group_href(slug: str) -> str:
    return f"{ADMIN_BASE}/groups/{slug}"


def group_param(path: object) -> str:
    """The group slug of a group admin page in the tab's URL ("" on any other page)."""
    for pattern in (GROUP_PAGE, MEMBERS_PAGE):
        params = match_route(pattern, path)
        if params:
            return params.get("group", "")
    return ""


@dataclasses.dataclass
class ChannelRow:
    slug: str = ""
    name: str = ""
    posts: str = ""
    is_general: bool = False
    first: bool = False
    last: bool = False


class CommunitiesGroupAdminState(AppAdminState):
    group_ready: bool = False
    group_missing: bool = False
    group_slug: str = ""
    group_name: str = ""
    group_description: str = ""
    group_visibility: str = "public"
    group_posting: str = "everyone"
    group_archived: bool = False
    group_cover_url: str = ""
    group_members: int = 0
    group_pending: int = 0
    group_reports: int = 0
    group_errors: dict[str, str] = dict.fromkeys(GROUP_FIELDS, "")
    group_notice: str = ""
    cover_error: str = ""
    # Change when stored values are shown afresh, so the (uncontrolled) forms show them: the details form
    # after a load or a save (not after a channel change, which would drop unsaved details), the channel
    # forms after a channel change.
    group_form_version: int = 0
    channel_form_version: int = 0
    channels: list[ChannelRow] = []
    channel_errors: dict[str, str] = dict.fromkeys(CHANNEL_FIELDS, "")
    # The channel whose rename was refused, and why (shown beside its name field).
    rename_slug: str = ""
    rename_error: str = ""

    def _clear_page(self) -> None:
        self.group_ready = self.group_missing = self.group_archived = False
        self.group_slug = self.group_name = self.group_description = self.group_cover_url = ""
        self.group_visibility, self.group_posting = "public", "everyone"
        self.group_members = self.group_pending = self.group_reports = 0
        self.group_errors = dict.fromkeys(GROUP_FIELDS, "")
        self.group_notice = self.cover_error = self.rename_slug = self.rename_error = ""
        self.channels = []
        self.channel_errors = dict.fromkeys(CHANNEL_FIELDS, "")

    def _slug(self) -> str:
        return group_param(self.router.url.path)

    def _clear_messages(self) -> None:
        self.group_errors = dict.fromkeys(GROUP_FIELDS, "")
        self.channel_errors = dict.fromkeys(CHANNEL_FIELDS, "")
        self.group_notice = self.cover_error = self.rename_slug = self.rename_error = ""

    async def _show(self) -> bool:
        """Show the group as stored; False (and the page says so) when it is not there."""
        slug = self._slug()
        try:
            details = await asyncio.to_thread(owner.group_details, slug)
            channels = await asyncio.to_thread(owner_channels.channels, slug)
        except LookupError:
            self._clear_page()
            self.group_missing = True
            return False
        self.group_slug, self.group_name, self.group_description = details.slug, details.name, details.description
        self.group_visibility, self.group_posting = details.visibility, details.posting
        self.group_archived, self.group_cover_url = details.archived, details.cover_url
        self.group_members, self.group_pending = details.members, details.pending
        self.group_reports = details.open_reports
        self.channels = [
            ChannelRow(
                slug=channel.slug,
                name=channel.name,
                posts="1 post" if channel.posts == 1 else f"{channel.posts} posts",
                is_general=channel.is_general,
                first=index == 0,
                last=index == len(channels) - 1,
            )
            for index, channel in enumerate(channels)
        ]
        self.group_ready = True
        return True

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        await self._show()
        self.group_form_version += 1
        self.channel_form_version += 1

    # --- details ------------------------------------------------------------------------------------------

    @rx.event
    async def save_group(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        try:
            slug, changed = await asyncio.to_thread(
                owner.update_group,
                staff.actor,
                self._slug(),
                name=form_text(form_data, "name"),
                new_slug=form_text(form_data, "slug"),
                description=form_text(form_data, "description"),
                visibility=form_text(form_data, "visibility"),
                posting=form_text(form_data, "posting"),
            )
        except FormErrors as refused:
            self.group_errors = {key: refused.errors.get(key, "") for key in GROUP_FIELDS}
            self.group_notice = "Nothing was saved. Correct the fields marked below."
            return None
        except LookupError:
            self._clear_page()
            self.group_missing = True
            return None
        if slug != self._slug():
            return rx.redirect(group_href(slug))
        await self._show()
        self.group_form_version += 1
        self.group_notice = "Group saved." if changed else "Nothing changed."
        return None

    @rx.event
    async def set_archived(self, archived: bool):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        try:
            await asyncio.to_thread(owner.set_archived, staff.actor, self._slug(), archived)
            notice = "Group archived: members can read it but not post." if archived else "Group restored."
        except LookupError:
            notice = "Nothing changed."
        if await self._show():
            self.group_notice = notice
        return None

    # --- cover ------------------------------------------------------------------------------------------

    @rx.event
    async def upload_cover(self, files: list[rx.UploadFile]):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        chosen = [item for item in files if isinstance(item, rx.UploadFile)] if isinstance(files, list) else []
        if len(chosen) != 1:
            self.cover_error = "Choose one image, then upload it."
            return None
        try:
            await asyncio.to_thread(owner.set_cover, staff.actor, self._slug(), chosen[0].file)
        except FormErrors as refused:
            self.cover_error = " ".join(refused.errors.values())
            return None
        except LookupError:
            self.cover_error = GONE
            return None
        if await self._show():
            self.group_notice = "Cover uploaded."
        return None

    @rx.event
    async def remove_cover(self):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self._clear_messages()
        try:
            removed = await asyncio.to_thread(owner.remove_cover, staff.actor, self._slug())
        except LookupError:
            removed = False
        if await self._show():
            self.group_notice = "Cover removed." if removed else "The group has no cover."
        return None

    # --- channels ---------------------------------------------------------------------------------------

    async def _channel_change(self, change, *args, notice: Callable[[object], str]) -> None:
        """Run one channel change, then show the channels as stored with what happened (or why not)."""
        self._clear_messages()
        try:
            result = await asyncio.to_thread(change, *args)
        except FormErrors as refused:
            if "rename" in refused.errors:
                self.rename_error = refused.errors["rename"]
            else:
                self.channel_errors = {key: refused.errors.get(key, "") for key in CHANNEL_FIELDS}
            result = None
        except LookupError:
            self.channel_errors = {**self.channel_errors, "channels": "That channel is not there any more."}
            result = None
        if await self._show() and result is not None:
            self.channel_form_version += 1
            self.group_notice = notice(result) if result is not False else "Nothing changed."

    @rx.event
    async def add_channel(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        await self._channel_change(
            owner_channels.add_channel,
            staff.actor,
            self._slug(),
            form_text(form_data, "channel_name"),
            notice=lambda slug: f"Channel added at the address {slug}.",
        )
        return None

    @rx.event
    async def rename_channel(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        channel = form_text(form_data, "channel")
        await self._channel_change(
            owner_channels.rename_channel,
            staff.actor,
            self._slug(),
            channel,
            form_text(form_data, "name"),
            notice=lambda _: "Channel renamed.",
        )
        if self.rename_error:
            self.rename_slug = channel
        return None

    @rx.event
    async def move_channel(self, channel: str, direction: str):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        await self._channel_change(
            owner_channels.move_channel,
            staff.actor,
            self._slug(),
            channel,
            direction,
            notice=lambda _: "Channel moved.",
        )
        return None

    @rx.event
    async def delete_channel(self, channel: str):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        await self._channel_change(
            owner_channels.delete_channel,
            staff.actor,
            self._slug(),
            channel,
            notice=lambda moved: (
                "Channel deleted." if not moved else f"Channel deleted; its posts ({moved}) moved to General."
            ),
        )
        return None


__all__ = ["ADMIN_BASE", "REPORTS_PAGE", "ChannelRow", "CommunitiesGroupAdminState", "group_href", "group_param"]
