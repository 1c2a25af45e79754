"""The state of /admin/apps/communities/groups/[group]/members: a group's membership, for staff.

Every handler gates first (`_staff_gate`); the group comes from the tab's URL. Where the next page of
members starts is kept in a backend var, never taken from the page.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.communities import owner_members
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.communities.models import GROUP_ROLES
from portal_app.apps.communities.ui.owner_group_state import group_param
from portal_app.kernel.errors import FormErrors
from portal_app.shell.ui.base_state import form_text, parse_id
from portal_app.shell.ui.formatting import short_date

ADD_FIELDS = ("email", "role")
STATUS_LABELS = {"active": "Active", "pending": "Waiting for approval", "banned": "Banned"}
ACTION_NOTICES = {
    "approve": "Approved: {name} is a member now.",
    "ban": "Banned {name}.",
    "reinstate": "Reinstated {name}.",
    "remove": "Removed {name} from the group.",
    "decline": "Declined the request of {name}.",
}


@dataclasses.dataclass
class AdminMemberRow:
    account_id: int = 0
    name: str = ""
    email: str = ""
    role: str = ""
    status: str = ""
    status_label: str = ""
    joined: str = ""


@dataclasses.dataclass
class AccountChoiceRow:
    account_id: int = 0
    label: str = ""


class CommunitiesMembersAdminState(AppAdminState):
    members_ready: bool = False
    members_group_missing: bool = False
    members_group_slug: str = ""
    members_group_name: str = ""
    member_counts: str = ""
    member_rows: list[AdminMemberRow] = []
    members_more: bool = False
    # The list's filter as last applied (shown back in the filter form).
    member_status_filter: str = "all"
    member_query: str = ""
    add_errors: dict[str, str] = dict.fromkeys(ADD_FIELDS, "")
    # Accounts that share the email being added: staff pick one.
    account_choices: list[AccountChoiceRow] = []
    members_notice: str = ""
    member_error: str = ""
    members_form_version: int = 0
    # Where the next page starts (the last row's sort name and account id), and the add form waiting
    # for a choice of account: backend only.
    _members_after: tuple[str, int] | None = None
    _waiting_add: dict[str, str] = {}

    def _clear_page(self) -> None:
        self.members_ready = self.members_group_missing = self.members_more = False
        self.members_group_slug = self.members_group_name = self.member_counts = ""
        self.member_rows, self.account_choices = [], []
        self.member_status_filter, self.member_query = "all", ""
        self.add_errors = dict.fromkeys(ADD_FIELDS, "")
        self.members_notice = self.member_error = ""
        self._members_after, self._waiting_add = None, {}

    def _clear_messages(self) -> None:
        self.add_errors = dict.fromkeys(ADD_FIELDS, "")
        self.members_notice = self.member_error = ""

    async def _show(self, *, more: bool = False) -> bool:
        """Show the first page of the filtered list (or the next one); False when the group is not there."""
        try:
            page = await asyncio.to_thread(
                owner_members.members_page,
                group_param(self.router.url.path),
                status=self.member_status_filter,
                query=self.member_query,
                after=self._members_after if more else None,
            )
        except LookupError:
            self._clear_page()
            self.members_group_missing = True
            return False
        rows = [
            AdminMemberRow(
                account_id=member.account_id,
                name=member.name,
                email=member.email,
                role=member.role,
                status=member.status,
                status_label=STATUS_LABELS.get(member.status, member.status),
                joined=short_date(member.joined_at),
            )
            for member in page.members
        ]
        self.member_rows = [*self.member_rows, *rows] if more else rows
        self._members_after = page.next_after
        self.members_more = page.next_after is not None
        self.members_group_slug, self.members_group_name = page.group_slug, page.group_name
        self.member_counts = (
            f"{page.counts['active']} active, {page.counts['pending']} waiting for approval, "
            f"{page.counts['banned']} banned"
        )
        self.members_ready = True
        return True

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        await self._show()

    @rx.event
    async def filter_members(self, form_data: dict):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        self._clear_messages()
        status = form_text(form_data, "status")
        self.member_status_filter = status if status in owner_members.STATUS_FILTERS else "all"
        self.member_query = form_text(form_data, "query").strip()[: owner_members.MAX_QUERY_LENGTH]
        await self._show()
        return None

    @rx.event
    async def more_members(self):
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        if self._members_after is not None:
            await self._show(more=True)
        return None

    async def _add(self, staff, values: dict[str, str], account_id: int | None) -> None:
        self._clear_messages()
        self.account_choices = []
        try:
            added = await asyncio.to_thread(
                owner_members.add_member,
                staff.actor,
                group_param(self.router.url.path),
                email=values.get("email", ""),
                role=values.get("role", ""),
                account_id=account_id,
            )
        except FormErrors as refused:
            self.add_errors = {key: refused.errors.get(key, "") for key in ADD_FIELDS}
            return
        except owner_members.SeveralAccounts as several:
            self._waiting_add = values
            self.account_choices = [
                AccountChoiceRow(choice.account_id, f"{choice.name} (account {choice.account_id})")
                for choice in several.choices
            ]
            self.add_errors = {**self.add_errors, "email": "Several accounts use that email. Choose one below."}
            return
        except LookupError:
            await self._show()
            return
        self._waiting_add = {}
        self.members_form_version += 1
        if await self._show():
            self.members_notice = f"Added {added.name} as {values['role']}." + (
                ""
                if added.may_open_app
                else " They cannot open Communities yet: give them the app on the Contacts page."
            )

    @rx.event
    async def add_member(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        values = {"email": form_text(form_data, "email"), "role": form_text(form_data, "role")}
        await self._add(staff, values, None)
        return None

    @rx.event
    async def choose_account(self, account_id: int):
        """One of the accounts that share the email being added (the email and role stay as submitted)."""
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        if not self._waiting_add:
            self._clear_messages()
            self.account_choices = []
            return None
        await self._add(staff, dict(self._waiting_add), account_id)
        return None

    async def _member_change(self, change, *args, notice: str) -> None:
        """Run one change to a membership, then show the list as stored with what happened (or why not)."""
        self._clear_messages()
        done, error = "", ""
        try:
            done = "Nothing changed." if await asyncio.to_thread(change, *args) is False else notice
        except FormErrors as refused:
            error = " ".join(refused.errors.values())
        except LookupError:
            error = "That person is not in the group any more."
        if await self._show():
            self.members_notice, self.member_error = done, error

    def _name_of(self, account_id: object) -> str:
        return next((row.name for row in self.member_rows if row.account_id == account_id), "them")

    @rx.event
    async def set_role(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        account_id = parse_id(form_text(form_data, "account_id"))
        role = form_text(form_data, "role")
        name = self._name_of(account_id)
        await self._member_change(
            owner_members.set_role,
            staff.actor,
            group_param(self.router.url.path),
            account_id,
            role,
            notice=f"{name} is {role if role in GROUP_ROLES else 'changed'} now.",
        )
        return None

    @rx.event
    async def member_action(self, account_id: int, action: str):
        """Approve or decline a request, ban, reinstate or remove one person (the buttons of their row)."""
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        slug = group_param(self.router.url.path)
        name = self._name_of(account_id)
        if action in ("remove", "decline"):
            change, args = owner_members.remove_member, (staff.actor, slug, account_id)
        else:
            change, args = owner_members.set_status, (staff.actor, slug, account_id, action)
        notice = ACTION_NOTICES.get(action, "") if isinstance(action, str) else ""
        await self._member_change(change, *args, notice=notice.format(name=name))
        return None


__all__ = ["AccountChoiceRow", "AdminMemberRow", "CommunitiesMembersAdminState"]
