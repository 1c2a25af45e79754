"""Communities' first page, My groups (/apps/communities): the groups a person is in and those they may join."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.communities.ui.communities_state import CommunitiesState as State
from portal_app.apps.registry import get_app
from portal_app.shell.ui.app_frame import app_header
from portal_app.shell.ui.forms import notice
from portal_app.shell.ui.lists import plain_list


def _group_card(group, joined: bool) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.cond(
                            joined & ~group.pending,
                            rx.link(group.name, href=group.href, weight="medium"),
                            rx.text(group.name, weight="medium"),
                        ),
                        rx.cond(group.private, rx.badge("Private", color_scheme="gray", variant="soft")),
                        rx.cond(
                            group.pending,
                            rx.badge("Waiting for approval", color_scheme="amber", variant="soft", high_contrast=True),
                        ),
                        rx.cond(
                            group.new_posts > 0,
                            rx.badge(group.new_posts, " new", color_scheme="blue"),
                        ),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.cond(group.description != "", rx.text(group.description, size="2", color_scheme="gray")),
                    spacing="1",
                ),
                rx.spacer(),
                *(
                    ()
                    if joined
                    else (
                        rx.button(
                            rx.cond(group.private, "Ask to join", "Join"),
                            variant="soft",
                            aria_label=rx.cond(group.private, "Ask to join ", "Join ") + group.name,
                            on_click=State.join_group(group.slug),
                        ),
                    )
                ),
                align="center",
                width="100%",
                wrap="wrap",
            )
        )
    )


def my_groups_page() -> rx.Component:
    return rx.vstack(
        app_header(get_app(APP_KEY)),
        notice(State.join_notice),
        rx.cond(
            State.groups_loaded,
            rx.vstack(
                rx.heading("My groups", as_="h2", size="5"),
                rx.cond(
                    State.my_groups.length() > 0,
                    plain_list(
                        rx.foreach(State.my_groups, lambda g: _group_card(g, True)),
                        gap="10px",
                        aria_label="My groups",
                    ),
                    rx.text("You are not in a group yet. Join one below."),
                ),
                rx.cond(
                    State.other_groups.length() > 0,
                    rx.vstack(
                        rx.heading("Groups to join", as_="h2", size="5"),
                        plain_list(
                            rx.foreach(State.other_groups, lambda g: _group_card(g, False)),
                            gap="10px",
                            aria_label="Groups to join",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
