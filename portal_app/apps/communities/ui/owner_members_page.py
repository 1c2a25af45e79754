"""/admin/apps/communities/groups/[group]/members: a group's members for staff: add by email, find, set
roles, approve, ban, reinstate, remove."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.communities.models import GROUP_ROLES
from portal_app.apps.communities.owner_members import MAX_QUERY_LENGTH
from portal_app.apps.communities.ui.owner_group_page import back_link, error_text, select_field
from portal_app.apps.communities.ui.owner_group_state import ADMIN_BASE
from portal_app.apps.communities.ui.owner_members_state import CommunitiesMembersAdminState as State
from portal_app.shell.ui.forms import field, notice

ROLE_OPTIONS = tuple((role, role.title()) for role in GROUP_ROLES)
STATUS_OPTIONS = (
    ("all", "Everyone"),
    ("active", "Active members"),
    ("pending", "Waiting for approval"),
    ("banned", "Banned"),
)


def _add_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Add a member", as_="h2", size="4"),
            rx.form(
                rx.hstack(
                    rx.box(
                        field(
                            "Email of the person to add",
                            "email",
                            error=State.add_errors["email"],
                            hint="They need an account already. Someone waiting for approval is approved.",
                            input_type="email",
                            autocomplete="off",
                            max_length=320,
                        ),
                        flex="1",
                        min_width="240px",
                    ),
                    select_field("Role", "role", ROLE_OPTIONS, "member", State.add_errors["role"]),
                    rx.button("Add member", type="submit", size="3"),
                    align="start",
                    spacing="3",
                    width="100%",
                    wrap="wrap",
                ),
                key=State.members_form_version,
                on_submit=State.add_member,
                width="100%",
            ),
            rx.cond(
                State.account_choices.length() > 0,
                rx.el.ul(
                    rx.foreach(
                        State.account_choices,
                        lambda choice: rx.el.li(
                            rx.button(
                                "Add " + choice.label,
                                variant="outline",
                                on_click=State.choose_account(choice.account_id),
                            )
                        ),
                    ),
                    aria_label="Accounts with that email",
                    style={"listStyle": "none", "padding": 0, "display": "grid", "gap": "6px"},
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _filter_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            select_field("Show", "status", STATUS_OPTIONS, State.member_status_filter, ""),
            rx.box(
                field(
                    "Find by name or email",
                    "query",
                    error="",
                    default_value=State.member_query,
                    max_length=MAX_QUERY_LENGTH,
                ),
                flex="1",
                min_width="200px",
            ),
            rx.button("Filter", type="submit", variant="soft", size="3"),
            align="start",
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        on_submit=State.filter_members,
        width="100%",
    )


def _action(text: str, member, action: str, color: str = "gray") -> rx.Component:
    return rx.button(
        text,
        size="1",
        variant="soft",
        color_scheme=color,
        aria_label=f"{text} " + member.name,
        on_click=State.member_action(member.account_id, action),
    )


def _role_form(member) -> rx.Component:
    field_id = "role-" + member.account_id.to_string()
    return rx.form(
        rx.hstack(
            rx.el.label("Role of " + member.name, html_for=field_id, class_name="sr-only"),
            rx.el.select(
                *(rx.el.option(text, value=role) for role, text in ROLE_OPTIONS),
                id=field_id,
                name="role",
                default_value=member.role,
                class_name="portal-select",
            ),
            rx.el.input(type="hidden", name="account_id", value=member.account_id.to_string()),
            rx.button("Save role", type="submit", size="1", variant="soft", aria_label="Save role of " + member.name),
            align="center",
            spacing="2",
        ),
        key=field_id + "-" + member.role,
        on_submit=State.set_role,
    )


def _row(member) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(member.name, weight="medium"), rx.text(member.email, size="1", color_scheme="gray")),
        rx.table.cell(_role_form(member)),
        rx.table.cell(member.status_label),
        rx.table.cell(member.joined),
        rx.table.cell(
            rx.hstack(
                rx.match(
                    member.status,
                    (
                        "pending",
                        rx.fragment(
                            _action("Approve", member, "approve", "green"), _action("Decline", member, "decline")
                        ),
                    ),
                    (
                        "banned",
                        _action("Reinstate", member, "reinstate", "green"),
                    ),
                    rx.fragment(_action("Ban", member, "ban", "red"), _action("Remove", member, "remove")),
                ),
                spacing="2",
                wrap="wrap",
            )
        ),
    )


def communities_members_admin_page() -> rx.Component:
    return rx.vstack(
        back_link(
            "Back to the group",
            rx.cond(State.members_group_slug != "", ADMIN_BASE + "/groups/" + State.members_group_slug, ADMIN_BASE),
        ),
        rx.cond(
            State.members_group_missing,
            rx.heading("There is no such group", as_="h1", size="6"),
            rx.cond(
                State.members_ready,
                rx.vstack(
                    rx.heading("Members: ", State.members_group_name, as_="h1", size="7"),
                    rx.text(State.member_counts, color_scheme="gray"),
                    notice(State.members_notice),
                    _add_form(),
                    _filter_form(),
                    error_text(State.member_error, "member"),
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Person"),
                                    rx.table.column_header_cell("Role"),
                                    rx.table.column_header_cell("Status"),
                                    rx.table.column_header_cell("Joined"),
                                    rx.table.column_header_cell(rx.el.span("Actions", class_name="sr-only")),
                                )
                            ),
                            rx.table.body(rx.foreach(State.member_rows, _row)),
                            width="100%",
                        ),
                        overflow_x="auto",
                        width="100%",
                    ),
                    rx.cond(
                        State.member_rows.length() == 0,
                        rx.text("Nobody here matches.", color_scheme="gray"),
                    ),
                    rx.cond(
                        State.members_more,
                        rx.button("Show more members", variant="soft", on_click=State.more_members),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )
