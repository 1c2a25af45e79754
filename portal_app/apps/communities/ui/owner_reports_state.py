"""The state of /admin/apps/communities/reports: the moderation queue of every group, for staff.

Every handler gates first (`_staff_gate`). What was reported reaches the page only as the SDK's
safe_html output; where the next page starts is kept in a backend var, never taken from the page.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps import fields
from portal_app.apps.communities import owner, owner_reports
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.communities.models import REPORT_STATUSES
from portal_app.apps.communities.ui.owner_group_state import group_href
from portal_app.apps.markdown import safe_html
from portal_app.kernel.errors import FormErrors
from portal_app.shell.ui.base_state import form_text
from portal_app.shell.ui.formatting import date_time

ACTION_NOTICES = {
    "resolve": "Report resolved.",
    "dismiss": "Report dismissed.",
    "hide": "Hidden from members; its open reports are resolved.",
    "show": "Members see it again.",
    "delete": "Deleted, with its reports.",
}


@dataclasses.dataclass
class AdminReportRow:
    id: int = 0
    label: str = ""
    group_name: str = ""
    group_href: str = ""
    is_comment: bool = False
    post_title: str = ""
    author: str = ""
    excerpt_html: str = ""
    hidden: bool = False
    reporter: str = ""
    reporter_email: str = ""
    reason: str = ""
    when: str = ""
    closed: str = ""
    is_open: bool = True
    post_href: str = ""


@dataclasses.dataclass
class GroupOption:
    slug: str = ""
    name: str = ""


class CommunitiesReportsAdminState(AppAdminState):
    reports_ready: bool = False
    report_rows: list[AdminReportRow] = []
    reports_open_count: int = 0
    reports_more: bool = False
    # The filter as last applied, and the groups it offers.
    report_status: str = "open"
    report_group: str = ""
    report_groups: list[GroupOption] = []
    reports_notice: str = ""
    reports_error: str = ""
    _reports_before: int | None = None

    def _clear_page(self) -> None:
        self.reports_ready = self.reports_more = False
        self.report_rows, self.report_groups = [], []
        self.reports_open_count = 0
        self.report_status, self.report_group = "open", ""
        self.reports_notice = self.reports_error = ""
        self._reports_before = None

    async def _show(self, *, more: bool = False) -> None:
        try:
            page = await asyncio.to_thread(
                owner_reports.reports,
                status=self.report_status,
                group_slug=self.report_group,
                before=self._reports_before if more else None,
            )
        except LookupError:
            self.report_group = ""
            self.reports_error = "That group is not there any more. Showing every group."
            page = await asyncio.to_thread(owner_reports.reports, status=self.report_status)
        rows = [
            AdminReportRow(
                id=item.id,
                label=f"Report {item.id}",
                group_name=item.group_name,
                group_href=group_href(item.group_slug),
                is_comment=item.comment_id is not None,
                post_title=item.post_title,
                author=item.author,
                excerpt_html=safe_html(item.excerpt),
                hidden=item.hidden,
                reporter=item.reporter,
                reporter_email=item.reporter_email,
                reason=item.reason,
                when=date_time(item.created_at),
                closed=(
                    f"{item.status.title()} {date_time(item.resolved_at, missing='')}".strip()
                    if item.status != "open"
                    else ""
                ),
                is_open=item.status == "open",
                post_href=f"/apps/communities/{item.group_slug}/post/{item.post_id}",
            )
            for item in page.items
        ]
        self.report_rows = [*self.report_rows, *rows] if more else rows
        self._reports_before = page.next_before
        self.reports_more = page.next_before is not None
        self.reports_open_count = page.open_count
        self.reports_ready = True

    async def _show_groups(self) -> None:
        self.report_groups = [
            GroupOption(row.slug, row.name + (" (archived)" if row.archived else ""))
            for row in await asyncio.to_thread(owner.list_groups)
        ]

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        asked = self.router.url.query_parameters.get("group", "")
        self.report_group = asked if fields.is_slug(asked) else ""
        await self._show_groups()
        await self._show()

    @rx.event
    async def filter_reports(self, form_data: dict):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self.reports_notice = self.reports_error = ""
        status = form_text(form_data, "report_status")
        self.report_status = status if status in REPORT_STATUSES else "open"
        group = form_text(form_data, "report_group")
        self.report_group = group if fields.is_slug(group) else ""
        await self._show()
        return None

    @rx.event
    async def older_reports(self):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        if self._reports_before is not None:
            await self._show(more=True)
        return None

    @rx.event
    async def act(self, report_id: int, action: str):
        """Resolve, dismiss, hide, show again or delete (the buttons of one report)."""
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        self.reports_notice = self.reports_error = ""
        try:
            done = await asyncio.to_thread(owner_reports.act, staff.actor, report_id, action)
            notice = ACTION_NOTICES[action] if done else "Nothing changed."
            error = ""
        except (LookupError, FormErrors):
            notice, error = "", "That report is not open any more, or what it named is gone."
        await self._show()
        self.reports_notice, self.reports_error = notice, error
        return None


__all__ = ["AdminReportRow", "CommunitiesReportsAdminState", "GroupOption"]
