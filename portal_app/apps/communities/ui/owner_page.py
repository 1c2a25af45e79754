"""/admin/apps/communities: the owner's view of Communities: create a group, every group's weekly figures,
archive and restore, and the way to each group's own page and to the moderation queue."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.communities import groups, owner
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.communities.ui.owner_group_state import REPORTS_PAGE, group_href
from portal_app.kernel.errors import FormErrors
from portal_app.shell.ui.forms import field, notice

FIELDS = ("name", "slug", "description", "visibility", "posting")


@dataclasses.dataclass
class GroupFiguresRow:
    slug: str = ""
    name: str = ""
    kind: str = ""
    archived: bool = False
    members: str = ""
    week: str = ""
    reports: int = 0
    href: str = ""


class CommunitiesOwnerState(AppAdminState):
    owner_groups: list[GroupFiguresRow] = []
    owner_loaded: bool = False
    owner_open_reports: int = 0
    errors: dict[str, str] = dict.fromkeys(FIELDS, "")
    owner_notice: str = ""
    form_version: int = 0

    def _clear_page(self) -> None:
        self.owner_groups, self.owner_loaded, self.owner_notice = [], False, ""
        self.owner_open_reports = 0
        self.errors = dict.fromkeys(FIELDS, "")

    async def _show(self) -> None:
        rows = await asyncio.to_thread(owner.list_groups)
        self.owner_groups = [
            GroupFiguresRow(
                slug=row.slug,
                name=row.name,
                kind=f"{row.visibility.title()}, {'everyone posts' if row.posting == 'everyone' else 'admins post'}",
                archived=row.archived,
                members=f"{row.members}" + (f" (+{row.pending} waiting)" if row.pending else ""),
                week=f"{row.posts_this_week} posts, {row.comments_this_week} comments, "
                f"{row.active_members_this_week} active members",
                reports=row.open_reports,
                href=group_href(row.slug),
            )
            for row in rows
        ]
        self.owner_open_reports = sum(row.open_reports for row in rows)
        self.owner_loaded = True

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(APP_KEY) is None:
            return self._refuse()
        await self._show()

    @rx.event
    async def create(self, form_data: dict):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        data = form_data if isinstance(form_data, dict) else {}
        self.errors, self.owner_notice = dict.fromkeys(FIELDS, ""), ""
        try:
            slug = await asyncio.to_thread(
                groups.create_group,
                staff.actor,
                name=data.get("name"),
                slug=data.get("slug", ""),
                description=data.get("description", ""),
                visibility=data.get("visibility"),
                posting=data.get("posting"),
            )
        except FormErrors as refused:
            self.errors = {key: refused.errors.get(key, "") for key in FIELDS}
            self.owner_notice = "Nothing was created. Correct the fields marked below."
            return
        self.form_version += 1
        self.owner_notice = f"Created the group at /apps/communities/{slug}."
        await self._show()

    @rx.event
    async def set_archived(self, slug: str, archived: bool):
        staff = await self._staff_gate(APP_KEY)
        if staff is None:
            return self._refuse()
        try:
            await asyncio.to_thread(owner.set_archived, staff.actor, slug, archived)
        except LookupError:
            self.owner_notice = "That group is not there any more."
        await self._show()


State = CommunitiesOwnerState


def _select(label: str, name: str, options: tuple[tuple[str, str], ...]) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="portal-label"),
        rx.el.select(
            *(rx.el.option(text, value=value) for value, text in options),
            id=name,
            name=name,
            class_name="portal-select",
            aria_describedby=f"{name}-error",
        ),
        rx.text(State.errors[name], id=f"{name}-error", size="2", color_scheme="red", role="alert"),
        spacing="1",
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.name, weight="medium"), rx.text("/", row.slug, size="1", color_scheme="gray")),
        rx.table.cell(row.kind),
        rx.table.cell(row.members),
        rx.table.cell(row.week),
        rx.table.cell(rx.cond(row.reports > 0, rx.badge(row.reports, " open", color_scheme="red"), "None")),
        rx.table.cell(
            rx.hstack(
                rx.link("Manage", href=row.href, aria_label="Manage " + row.name),
                _archive_button(row),
                align="center",
                spacing="3",
            )
        ),
    )


def _archive_button(row) -> rx.Component:
    return rx.cond(
        row.archived,
        rx.button(
            "Restore",
            size="1",
            variant="soft",
            aria_label="Restore " + row.name,
            on_click=State.set_archived(row.slug, False),
        ),
        rx.button(
            "Archive",
            size="1",
            variant="soft",
            color_scheme="gray",
            aria_label="Archive " + row.name,
            on_click=State.set_archived(row.slug, True),
        ),
    )


def communities_owner_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Communities", as_="h1", size="7"),
        rx.link("Moderation queue (open reports: ", State.owner_open_reports, ")", href=REPORTS_PAGE),
        notice(State.owner_notice),
        rx.form(
            rx.vstack(
                rx.heading("New group", as_="h2", size="5"),
                field("Group name", "name", error=State.errors["name"], max_length=120),
                field(
                    "Address",
                    "slug",
                    error=State.errors["slug"],
                    hint="Lower-case letters, digits and hyphens; made from the name when left empty.",
                    max_length=80,
                ),
                field("Description", "description", error=State.errors["description"], max_length=2000),
                rx.hstack(
                    _select(
                        "Who can see it",
                        "visibility",
                        (("public", "Public: anyone with the app"), ("private", "Private: members only")),
                    ),
                    _select("Who can post", "posting", (("everyone", "Every member"), ("admins", "Admins only"))),
                    spacing="4",
                    wrap="wrap",
                ),
                rx.button("Create group", type="submit", size="3"),
                spacing="3",
                width="100%",
                max_width="640px",
            ),
            key=State.form_version,
            on_submit=State.create,
            width="100%",
        ),
        rx.heading("Groups", as_="h2", size="5"),
        rx.cond(
            State.owner_loaded,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Group"),
                            rx.table.column_header_cell("Kind"),
                            rx.table.column_header_cell("Members"),
                            rx.table.column_header_cell("Last 7 days"),
                            rx.table.column_header_cell("Reports"),
                            rx.table.column_header_cell(rx.el.span("Actions", class_name="sr-only")),
                        )
                    ),
                    rx.table.body(rx.foreach(State.owner_groups, _row)),
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
